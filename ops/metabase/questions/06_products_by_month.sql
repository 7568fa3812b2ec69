-- Products and offers by month: orders, paid orders, payments, revenue, refunds and the average check
-- (revenue / accepted payments, as bi.products_daily defines it), with the previous month's revenue beside it.
-- Each order counts under its current product and offer; product NULL = payments whose order has not arrived.
WITH monthly AS (
    SELECT project, date_trunc('month', day)::date AS month, product, offer,
           sum(orders) AS orders, sum(paid_orders) AS paid_orders, sum(payments) AS payments,
           sum(revenue) AS revenue, sum(refunds) AS refunds
    FROM bi.products_daily
    GROUP BY project, date_trunc('month', day), product, offer
)
SELECT m.project, m.month, coalesce(m.product, '(no order event)') AS product, coalesce(m.offer, '') AS offer,
       m.orders, m.paid_orders, m.payments, m.revenue, m.refunds,
       round(m.revenue / NULLIF(m.payments, 0), 2) AS avg_check,
       coalesce(p.revenue, 0) AS revenue_previous_month,
       round((m.revenue - p.revenue) / NULLIF(p.revenue, 0) * 100, 1) AS revenue_change_percent
FROM monthly m
LEFT JOIN monthly p ON p.project = m.project AND p.month = (m.month - interval '1 month')::date
                   AND p.product IS NOT DISTINCT FROM m.product AND p.offer IS NOT DISTINCT FROM m.offer
ORDER BY m.project, m.month DESC, m.revenue DESC, product, offer
