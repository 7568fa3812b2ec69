-- Campaigns over the last 30 days of each project's data: spend, money and ROMI/ROAS/ДРР from summed totals.
SELECT f.project, f.network, f.campaign_id,
       sum(f.spend) AS spend, sum(f.visits) AS visits, sum(f.registrations) AS registrations,
       sum(f.orders) AS orders, sum(f.paid_orders) AS paid_orders, sum(f.revenue) AS revenue, sum(f.refunds) AS refunds,
       round((sum(f.revenue) - sum(f.refunds) - sum(f.spend)) / NULLIF(sum(f.spend), 0) * 100, 1) AS romi_percent,
       round(sum(f.revenue) / NULLIF(sum(f.spend), 0), 2) AS roas,
       round(sum(f.spend) / NULLIF(sum(f.revenue) - sum(f.refunds), 0) * 100, 1) AS drr_percent
FROM bi.funnel_daily f
JOIN (SELECT project, max(day) AS latest_day FROM bi.funnel_daily GROUP BY project) l USING (project)
WHERE f.day > l.latest_day - 30
GROUP BY f.project, f.network, f.campaign_id
ORDER BY f.project, sum(f.spend) DESC, f.network, f.campaign_id
