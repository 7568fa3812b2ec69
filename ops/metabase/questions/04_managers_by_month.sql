-- Sales managers by month: orders, paid orders, revenue and conversion.
SELECT project, date_trunc('month', day)::date AS month, coalesce(manager_id, '(none)') AS manager,
       sum(orders) AS orders, sum(paid_orders) AS paid_orders, sum(revenue) AS revenue,
       round(sum(paid_orders) / NULLIF(sum(orders), 0) * 100, 1) AS conversion_percent
FROM bi.managers_daily
GROUP BY project, date_trunc('month', day), manager_id
ORDER BY project, month, sum(revenue) DESC
