-- First touch against deal attribution per campaign over the last 30 days of each project's data, with
-- campaign names: paid orders, revenue, refunds and ROMI under each model (bi.attribution_compare summed
-- per campaign, ROMI from the sums). A campaign's name is the one most of its ads carry in bi.ads.
WITH latest AS (
    SELECT project, max(day) AS latest_day FROM bi.funnel_daily GROUP BY project
), names AS (
    SELECT project, network, campaign_id, mode() WITHIN GROUP (ORDER BY campaign_name COLLATE "C") AS campaign_name
    FROM bi.ads WHERE campaign_name IS NOT NULL
    GROUP BY project, network, campaign_id
)
SELECT l.project, a.network, a.campaign_id, n.campaign_name,
       sum(a.spend) AS spend, sum(a.paid_orders_first) AS paid_orders_first, sum(a.paid_orders_deal) AS paid_orders_deal,
       sum(a.revenue_first) AS revenue_first, sum(a.revenue_deal) AS revenue_deal,
       sum(a.refunds_first) AS refunds_first, sum(a.refunds_deal) AS refunds_deal,
       round((sum(a.revenue_first) - sum(a.refunds_first) - sum(a.spend)) / NULLIF(sum(a.spend), 0) * 100, 1) AS romi_first_percent,
       round((sum(a.revenue_deal) - sum(a.refunds_deal) - sum(a.spend)) / NULLIF(sum(a.spend), 0) * 100, 1) AS romi_deal_percent
FROM latest l
CROSS JOIN LATERAL bi.attribution_compare(l.project, l.latest_day - 29, l.latest_day) a
LEFT JOIN names n ON n.project = l.project AND n.network = a.network AND n.campaign_id = a.campaign_id
GROUP BY l.project, a.network, a.campaign_id, n.campaign_name
ORDER BY l.project, sum(a.spend) DESC, a.network, a.campaign_id
