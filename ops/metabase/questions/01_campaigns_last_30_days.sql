-- Campaigns over the last 30 days of each project's data: spend, money and ROMI/ROAS/ДРР from summed totals,
-- with the campaign's name (the one most of its ads carry in bi.ads) beside its id.
SELECT f.project, f.network, f.campaign_id, n.campaign_name,
       sum(f.spend) AS spend, sum(f.visits) AS visits, sum(f.registrations) AS registrations,
       sum(f.orders) AS orders, sum(f.paid_orders) AS paid_orders, sum(f.revenue) AS revenue, sum(f.refunds) AS refunds,
       round((sum(f.revenue) - sum(f.refunds) - sum(f.spend)) / NULLIF(sum(f.spend), 0) * 100, 1) AS romi_percent,
       round(sum(f.revenue) / NULLIF(sum(f.spend), 0), 2) AS roas,
       round(sum(f.spend) / NULLIF(sum(f.revenue) - sum(f.refunds), 0) * 100, 1) AS drr_percent
FROM bi.funnel_daily f
JOIN (SELECT project, max(day) AS latest_day FROM bi.funnel_daily GROUP BY project) l USING (project)
LEFT JOIN (SELECT project, network, campaign_id, mode() WITHIN GROUP (ORDER BY campaign_name COLLATE "C") AS campaign_name
           FROM bi.ads WHERE campaign_name IS NOT NULL GROUP BY project, network, campaign_id) n
       ON n.project = f.project AND n.network = f.network AND n.campaign_id = f.campaign_id
WHERE f.day > l.latest_day - 30
GROUP BY f.project, f.network, f.campaign_id, n.campaign_name
ORDER BY f.project, sum(f.spend) DESC, f.network, f.campaign_id
