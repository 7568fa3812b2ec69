-- Creatives that stopped paying back: burnt out first, then stagnating.
SELECT project, network, campaign_id, ad_id, status, first_day, last_day, cum_spend, cum_profit,
       profit_prev_7d, profit_last_7d, spend_last_7d
FROM bi.creative_burnout
WHERE status IN ('burnt_out', 'stagnating')
ORDER BY project, status, spend_last_7d DESC
