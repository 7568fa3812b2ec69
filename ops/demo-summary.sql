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

\echo '== Creatives (bi.creative_burnout; 7-day windows end at the latest day)'
SELECT network, campaign_id AS campaign, ad_id AS ad, first_day, cum_spend, cum_revenue, cum_profit,
       profit_prev_7d, profit_last_7d, spend_last_7d, status
FROM bi.creative_burnout
WHERE project = :'project'
ORDER BY network, campaign_id, ad_id;

\echo '== Cohorts (bi.cohorts_monthly)'
SELECT cohort_month, month, months_since, cohort_users AS users, payers, payments, revenue, refunds,
       cumulative_revenue, round(ltv, 2) AS ltv
FROM bi.cohorts_monthly
WHERE project = :'project'
ORDER BY cohort_month NULLS FIRST, month;

\echo '== Sales team, month (bi.managers_daily)'
SELECT coalesce(manager_id, '(none)') AS manager, sum(orders) AS orders, sum(paid_orders) AS paid_orders,
       sum(revenue) AS revenue, round(sum(paid_orders) / NULLIF(sum(orders), 0) * 100, 1) AS "conversion_%"
FROM bi.managers_daily
WHERE project = :'project' AND day BETWEEN :'from_day' AND :'to_day'
GROUP BY manager_id
ORDER BY sum(revenue) DESC;

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

\echo '== Dead letters written by the worker:' :dead_letters
