-- Sales managers by month: orders, paid orders, revenue and conversion, with the manager's name beside the id.
SELECT d.project, date_trunc('month', d.day)::date AS month, coalesce(d.manager_id, '(none)') AS manager, n.name AS manager_name,
       sum(d.orders) AS orders, sum(d.paid_orders) AS paid_orders, sum(d.revenue) AS revenue,
       round(sum(d.paid_orders) / NULLIF(sum(d.orders), 0) * 100, 1) AS conversion_percent
FROM bi.managers_daily d
LEFT JOIN bi.managers n ON n.project = d.project AND n.manager_id = d.manager_id
GROUP BY d.project, date_trunc('month', d.day), d.manager_id, n.name
ORDER BY d.project, month, sum(d.revenue) DESC
