-- The demo's closing report: what a school's owner, marketer and sales head would look at first.
-- Run by ops/demo.sh: psql -X -q -P pager=off -v project=… -v from_day=… -v to_day=… -v dead_letters=… -f ops/demo-summary.sql
-- Ratios are computed here from summed totals, never averaged from daily ratios.

\pset footer off
\pset null '—'

\echo
\echo '== Month totals (bi.overview_daily)'
\x on
SELECT :'project' AS project, :'from_day' || ' .. ' || :'to_day' AS period,
       sum(spend) AS spend, sum(visits) AS visits, sum(registrations) AS registrations, sum(new_users) AS new_users,
       sum(orders) AS orders, sum(paid_orders) AS paid_orders, sum(payments) AS payments,
       sum(revenue) AS revenue, sum(refunds) AS refunds, sum(revenue) - sum(refunds) AS net,
       round(sum(revenue) / NULLIF(sum(payments), 0), 2) AS avg_check,
       round((sum(revenue) - sum(refunds) - sum(spend)) / NULLIF(sum(spend), 0) * 100, 1) AS "romi_%"
FROM bi.overview_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day';
\x off

\echo '== Traffic by ad, campaign subtotals and total (bi.traffic_summary)'
-- Subtotals only where there is spend: for organic traffic they would repeat the row above them.
SELECT CASE WHEN GROUPING(network) = 1 THEN 'TOTAL' ELSE network END AS network,
       CASE WHEN GROUPING(campaign_id) = 1 AND GROUPING(network) = 0 THEN '(all)' ELSE campaign_id END AS campaign,
       CASE WHEN GROUPING(ad_id) = 1 AND GROUPING(network) = 0 THEN '(all)' ELSE ad_id END AS ad,
       sum(spend) AS spend, sum(ad_clicks) AS ad_clicks, sum(visits) AS visits, sum(registrations) AS regs,
       sum(orders) AS orders, sum(paid_orders) AS paid, sum(revenue) AS revenue, sum(refunds) AS refunds,
       round(sum(spend) / NULLIF(sum(ad_clicks), 0), 2) AS cpc,
       round(sum(spend) / NULLIF(sum(registrations), 0), 2) AS cpr,
       round((sum(revenue) - sum(refunds) - sum(spend)) / NULLIF(sum(spend), 0) * 100, 1) AS "romi_%",
       sum(npc) AS npc
FROM bi.traffic_summary(:'project', :'from_day', :'to_day')
GROUP BY GROUPING SETS ((network, campaign_id, ad_id), (network, campaign_id), ())
HAVING GROUPING(ad_id) = 0 OR GROUPING(network) = 1 OR sum(spend) > 0
ORDER BY GROUPING(network), network, campaign_id, GROUPING(ad_id), ad_id;

\echo '== Creatives (bi.creative_burnout; 7-day windows end at the latest day; names from bi.ads)'
\echo '   new: first day within the last 14 days; burnt_out: spent in the last 7 days at no profit;'
\echo '   stagnating: profit under half of the 7 days before; growing: the rest'
SELECT c.network, c.campaign_id AS campaign, a.ad_name, c.ad_id AS ad, c.first_day, c.cum_spend, c.cum_revenue,
       c.cum_profit, c.profit_prev_7d, c.profit_last_7d, c.spend_last_7d, c.status
FROM bi.creative_burnout c
LEFT JOIN bi.ads a ON a.project = c.project AND a.network = c.network AND a.campaign_id = c.campaign_id AND a.ad_id = c.ad_id
WHERE c.project = :'project'
ORDER BY c.network, c.campaign_id, c.ad_id;

\echo '== Cohorts (bi.cohorts_monthly)'
SELECT cohort_month, month, months_since, cohort_users AS users, payers, payments, revenue, refunds,
       cumulative_revenue, round(ltv, 2) AS ltv
FROM bi.cohorts_monthly
WHERE project = :'project'
ORDER BY cohort_month NULLS FIRST, month;

\echo '== Sales team, month (bi.managers_daily, names from bi.managers)'
SELECT coalesce(d.manager_id, '(none)') AS manager, m.name, sum(d.orders) AS orders, sum(d.paid_orders) AS paid_orders,
       sum(d.revenue) AS revenue, round(sum(d.paid_orders) / NULLIF(sum(d.orders), 0) * 100, 1) AS "conversion_%"
FROM bi.managers_daily d
LEFT JOIN bi.managers m ON m.project = d.project AND m.manager_id = d.manager_id
WHERE d.project = :'project' AND d.day BETWEEN :'from_day' AND :'to_day'
GROUP BY d.manager_id, m.name
ORDER BY sum(d.revenue) DESC;

\echo '== Products and tariffs (bi.products_daily: product × offer, by the order''s current state)'
SELECT coalesce(product, '(no order event)') AS product, offer, sum(orders) AS orders, sum(paid_orders) AS paid,
       sum(payments) AS payments, sum(revenue) AS revenue, sum(refunds) AS refunds,
       round(sum(revenue) / NULLIF(sum(payments), 0), 2) AS avg_check
FROM bi.products_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY product, offer
ORDER BY sum(revenue) DESC, product, offer;

\echo '== Launches, flows and free tags (bi.order_tags_daily; a tag kind:value splits at its first colon)'
SELECT CASE WHEN tag_kind = '' THEN '(free tag)' ELSE tag_kind END AS kind, tag_value AS value,
       sum(orders) AS orders, sum(paid_orders) AS paid, sum(revenue) AS revenue, sum(refunds) AS refunds,
       round(sum(revenue) / NULLIF(sum(payments), 0), 2) AS avg_check
FROM bi.order_tags_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY tag_kind, tag_value
ORDER BY tag_kind <> 'launch', tag_kind, tag_value;

\echo '== Registration funnels (bi.deal_funnel_daily: registrations by their own funnel, orders and money by the order''s entry)'
SELECT CASE WHEN funnel = '' THEN '(none)' ELSE funnel END AS funnel, sum(registrations) AS registrations,
       sum(orders) AS orders, sum(paid_orders) AS paid, sum(revenue) AS revenue, sum(refunds) AS refunds
FROM bi.deal_funnel_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY funnel
ORDER BY sum(registrations) DESC, funnel;

\echo '== First touch and deal attribution by ad (bi.attribution_compare, names from bi.ads)'
SELECT c.network, c.campaign_id AS campaign, a.campaign_name, c.ad_id AS ad, a.ad_name, c.spend,
       c.paid_orders_first AS paid_first, c.paid_orders_deal AS paid_deal, c.revenue_first, c.revenue_deal,
       round(c.romi_first, 1) AS "romi_first_%", round(c.romi_deal, 1) AS "romi_deal_%"
FROM bi.attribution_compare(:'project', :'from_day', :'to_day') c
LEFT JOIN bi.ads a ON a.project = :'project' AND a.network = c.network AND a.campaign_id = c.campaign_id AND a.ad_id = c.ad_id
ORDER BY c.network, c.campaign_id, c.ad_id;

\echo '== Mailings (bi.mail_letters; rates in %, after-click = paid within 7 days of a click)'
SELECT channel, letter_id AS letter, sent, delivered, bounced, unique_opens AS opens, unique_clicks AS clicks,
       unsubscribed AS unsubs, spam,
       round(delivery_rate * 100, 1) AS "deliv_%", round(open_rate * 100, 1) AS "open_%",
       round(click_rate * 100, 1) AS "click_%", round(unsubscribe_rate * 100, 1) AS "unsub_%",
       payers_after_click AS payers, revenue_after_click AS revenue
FROM bi.mail_letters
WHERE project = :'project'
ORDER BY letter_id, channel;

\echo '== Community chats, month (bi.chat_daily)'
SELECT chat_id AS chat, count(*) AS days, sum(messages) AS messages, sum(joins) AS joins, sum(leaves) AS leaves,
       round(avg(active_members), 1) AS avg_active_per_day, max(active_members) AS max_active
FROM bi.chat_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY chat_id
ORDER BY chat_id;

\echo '== Chat activity and buying (bi.community_conversion)'
SELECT cohort_month, chat_active, users, payers, round(payers::numeric / NULLIF(users, 0) * 100, 1) AS "payers_%",
       revenue
FROM bi.community_conversion
WHERE project = :'project'
ORDER BY cohort_month NULLS FIRST, chat_active DESC;

\echo '== Courses (bi.course_progress; completion = completers / students, payers after their first step)'
SELECT course_id AS course, students, lessons, completers, round(completion_rate * 100, 1) AS "completion_%",
       payers_after_start, round(revenue_after_start, 2) AS revenue_after_start
FROM bi.course_progress
WHERE project = :'project'
ORDER BY course_id;

\echo '== Lessons, month (bi.learning_daily: students whose first step of each kind fell in the month)'
SELECT course_id AS course, CASE WHEN lesson_id = '' THEN '(course)' ELSE lesson_id END AS lesson,
       sum(opened) AS opened, sum(completed) AS completed, sum(homework_submitted) AS hw_submitted,
       sum(homework_accepted) AS hw_accepted, sum(attended) AS attended
FROM bi.learning_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY course_id, lesson_id
ORDER BY course_id, lesson_id;

\echo '== Webinars (bi.webinar_conversion; buyers = attendees who paid within 7 x 24 h after attending)'
SELECT course_id AS course, lesson_id AS webinar, attendees, buyers_7d, round(revenue_7d, 2) AS revenue_7d,
       round(buyers_7d::numeric / NULLIF(attendees, 0) * 100, 1) AS "conversion_%"
FROM bi.webinar_conversion
WHERE project = :'project'
ORDER BY course_id, lesson_id;

\echo '== Retention (bi.retention_monthly: active = a message, open, click, learning step, order or payment)'
SELECT cohort_month, month, cohort_users AS users, active_users AS active, round(retention * 100, 1) AS "retention_%",
       churned
FROM bi.retention_monthly
WHERE project = :'project'
ORDER BY cohort_month, month;

\echo '== Repeat purchases (bi.repeat_purchases: payers with accepted payments for two or more orders)'
SELECT cohort_month, payers, repeat_payers, round(repeat_rate * 100, 1) AS "repeat_%"
FROM bi.repeat_purchases
WHERE project = :'project'
ORDER BY cohort_month NULLS FIRST;

\echo '== Dead letters written by the worker:' :dead_letters
