-- The views BI tools query (SPEC §4). They read only the maintained tables of schema `pipeline`.
--
-- Not a migration: `pipeline migrate` re-applies this file after the migrations, and
-- `pipeline rebuild` applies it when it swaps rebuilt tables in, because a view is bound to the
-- tables it was created over. The whole file runs in one transaction, so BI queries see either
-- the old views or the new ones.

-- Two schemas: `bi_all` holds every view's figures for every row (nobody but the owner may read
-- it), `bi` the same views narrowed to the rows the querying role was granted
-- (`pipeline.access_grants`, SPEC §6; `pipeline access grant`), which is what BI roles may read.
-- Figures are computed before the narrowing, so a narrowed row equals the owner's row: a
-- contractor's creative_burnout windows still end at the project's latest day.

DROP SCHEMA IF EXISTS bi CASCADE;
DROP SCHEMA IF EXISTS bi_all CASCADE;
CREATE SCHEMA bi;
CREATE SCHEMA bi_all;
REVOKE ALL ON SCHEMA bi_all FROM PUBLIC;

-- The elements of the id logs (migration 0013), one log row's at a time. `unnest` over a column
-- tells the planner 10 rows per log row, which made it probe the aliases' and users' indexes once
-- per id; these say 20,000 (a row holds a batch's ids or up to 100,000 compacted ones), so it
-- hashes. STRICT keeps PostgreSQL from inlining them (and losing the estimate); they read nothing
-- but their arguments. `unnest` in the select list steps the arrays in lockstep (arrays of a row
-- have equal lengths: the tables check it), about four times faster than `unnest(a, b, …)` in FROM,
-- which copies each array's elements into a store of its own first.
CREATE FUNCTION bi_all.user_elements(text[], date[])
RETURNS TABLE (user_id text, first_reg_day date)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 20000
AS $$ SELECT unnest($1), unnest($2) $$;

CREATE FUNCTION bi_all.contact_elements(text[], boolean[])
RETURNS TABLE (user_id text, chat_active boolean)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 20000
AS $$ SELECT unnest($1), unnest($2) $$;

CREATE FUNCTION bi_all.activity_month_elements(text[], date[], boolean[])
RETURNS TABLE (user_id text, month date, contact boolean)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 20000
AS $$ SELECT unnest($1), unnest($2), unnest($3) $$;

CREATE FUNCTION bi_all.chat_member_elements(text[], date[], text[])
RETURNS TABLE (chat_id text, day date, user_id text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 20000
AS $$ SELECT unnest($1), unnest($2), unnest($3) $$;

CREATE FUNCTION bi_all.recipient_elements(text[], text[], text[], timestamptz[], date[], timestamptz[], date[])
RETURNS TABLE (channel text, letter_id text, user_id text, first_open_at timestamptz, first_open_day date,
               first_click_at timestamptz, first_click_day date)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 20000
AS $$ SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), unnest($6), unnest($7) $$;

-- Tables of sums as BI reads them: the table plus the batches' deltas not folded into it yet (its
-- log, migration 0014), summed per key. A filter on a key column reaches the table's index
-- through the grouping. Helpers: not narrowed, not in bi.
CREATE VIEW bi_all.mail_daily_sums AS
SELECT project, channel, letter_id, day, sum(sent)::bigint AS sent, sum(delivered)::bigint AS delivered,
       sum(opened)::bigint AS opened, sum(clicked)::bigint AS clicked, sum(unsubscribed)::bigint AS unsubscribed,
       sum(bounced)::bigint AS bounced, sum(spam)::bigint AS spam
FROM (
    SELECT project, channel, letter_id, day, sent, delivered, opened, clicked, unsubscribed, bounced, spam
    FROM pipeline.mail_daily
    UNION ALL
    -- In the select list the arrays are stepped in lockstep (the log checks equal lengths).
    SELECT project, unnest(channels), unnest(letter_ids), unnest(days), unnest(sent), unnest(delivered),
           unnest(opened), unnest(clicked), unnest(unsubscribed), unnest(bounced), unnest(spam)
    FROM pipeline.mail_daily_log
) d
GROUP BY project, channel, letter_id, day;

CREATE VIEW bi_all.chat_daily_sums AS
SELECT project, chat_id, day, sum(messages)::bigint AS messages, sum(joins)::bigint AS joins,
       sum(leaves)::bigint AS leaves
FROM (
    SELECT project, chat_id, day, messages, joins, leaves FROM pipeline.chat_daily
    UNION ALL
    SELECT project, unnest(chat_ids), unnest(days), unnest(messages), unnest(joins), unnest(leaves)
    FROM pipeline.chat_daily_log
) c
GROUP BY project, chat_id, day;

CREATE VIEW bi_all.user_monthly_sums AS
SELECT project, user_id, month, sum(payments)::bigint AS payments, sum(revenue) AS revenue, sum(refunds) AS refunds
FROM (
    SELECT project, user_id, month, payments, revenue, refunds FROM pipeline.user_monthly
    UNION ALL
    SELECT project, unnest(user_ids), unnest(months), unnest(payments), unnest(revenue), unnest(refunds)
    FROM pipeline.user_monthly_log
) m
GROUP BY project, user_id, month;

-- `funnel_daily` likewise (with `funnel_log`). Rows whose figures all went back to zero (a user's figures moved to another attribution)
-- stay in the table for the next delta but are not facts any more: the view leaves them out.
CREATE VIEW bi_all.funnel_daily AS
SELECT project, day, network, campaign_id, ad_id,
       sum(impressions)::bigint AS impressions, sum(ad_clicks)::bigint AS ad_clicks, sum(spend) AS spend,
       sum(visits)::bigint AS visits, sum(registrations)::bigint AS registrations, sum(orders)::bigint AS orders,
       sum(paid_orders)::bigint AS paid_orders, sum(payments)::bigint AS payments, sum(revenue) AS revenue,
       sum(refunds) AS refunds
FROM (
    SELECT project, day, network, campaign_id, ad_id, impressions, ad_clicks, spend, visits, registrations, orders,
           paid_orders, payments, revenue, refunds
    FROM pipeline.funnel_daily
    UNION ALL
    SELECT project, unnest(days), unnest(networks), unnest(campaign_ids), unnest(ad_ids), unnest(impressions),
           unnest(ad_clicks), unnest(spend), unnest(visits), unnest(registrations), unnest(orders),
           unnest(paid_orders), unnest(payments), unnest(revenue), unnest(refunds)
    FROM pipeline.funnel_log
) f
GROUP BY project, day, network, campaign_id, ad_id
HAVING sum(impressions) <> 0 OR sum(ad_clicks) <> 0 OR sum(spend) <> 0 OR sum(visits) <> 0
    OR sum(registrations) <> 0 OR sum(orders) <> 0 OR sum(paid_orders) <> 0 OR sum(payments) <> 0
    OR sum(revenue) <> 0 OR sum(refunds) <> 0;

CREATE VIEW bi_all.traffic_report AS
SELECT f.*,
       f.spend / NULLIF(f.ad_clicks, 0)                                AS cpc,
       f.spend / NULLIF(f.registrations, 0)                            AS cpr,
       f.spend / NULLIF(f.orders, 0)                                   AS cpa,
       f.spend / NULLIF(f.paid_orders, 0)                              AS cpo,
       f.revenue / NULLIF(f.spend, 0)                                  AS roas,
       (f.revenue - f.refunds - f.spend) / NULLIF(f.spend, 0) * 100    AS romi,
       f.spend / NULLIF(f.revenue - f.refunds, 0) * 100                AS drr,
       f.ad_clicks::numeric / NULLIF(f.impressions, 0)                 AS ctr,
       f.registrations::numeric / NULLIF(f.visits, 0)                  AS cr_visit,
       f.orders::numeric / NULLIF(f.registrations, 0)                  AS cr_order,
       f.paid_orders::numeric / NULLIF(f.orders, 0)                    AS cr_paid
FROM bi_all.funnel_daily f;



CREATE VIEW bi_all.creative_daily AS
SELECT project, network, campaign_id, ad_id, day, spend, impressions, ad_clicks, registrations,
       revenue, revenue - refunds - spend AS profit,
       sum(spend) OVER w                     AS cum_spend,
       sum(revenue) OVER w                   AS cum_revenue,
       sum(revenue - refunds - spend) OVER w AS cum_profit
FROM bi_all.funnel_daily
WINDOW w AS (PARTITION BY project, network, campaign_id, ad_id ORDER BY day
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE VIEW bi_all.creative_burnout AS
WITH latest AS (
    SELECT project, max(day) AS latest_day FROM bi_all.funnel_daily GROUP BY project
), per_ad AS (
    SELECT c.project, c.network, c.campaign_id, c.ad_id,
           min(c.day) AS first_day, max(c.day) AS last_day,
           sum(c.spend) AS cum_spend, sum(c.revenue) AS cum_revenue, sum(c.profit) AS cum_profit,
           coalesce(sum(c.profit) FILTER (WHERE c.day > l.latest_day - 7), 0) AS profit_last_7d,
           coalesce(sum(c.profit) FILTER (WHERE c.day <= l.latest_day - 7 AND c.day > l.latest_day - 14), 0)
               AS profit_prev_7d,
           coalesce(sum(c.spend) FILTER (WHERE c.day > l.latest_day - 7), 0) AS spend_last_7d,
           l.latest_day
    FROM bi_all.creative_daily c JOIN latest l USING (project)
    GROUP BY c.project, c.network, c.campaign_id, c.ad_id, l.latest_day
)
SELECT project, network, campaign_id, ad_id, first_day, last_day, cum_spend, cum_revenue, cum_profit,
       profit_last_7d, profit_prev_7d, spend_last_7d,
       CASE
           WHEN first_day >= latest_day - 13 THEN 'new'
           WHEN spend_last_7d > 0 AND profit_last_7d <= 0 THEN 'burnt_out'
           WHEN profit_prev_7d > 0 AND profit_last_7d < 0.5 * profit_prev_7d THEN 'stagnating'
           ELSE 'growing'
       END AS status
FROM per_ad;

-- SPEC §4.8's users of a project after §4.12's resolution: the ids of registration, order and
-- payment events, and the ids of chat and mail events with each linked alias replaced by the user
-- of its earliest link; `chat_active` when any of a user's chat ids wrote a message. The cohort is
-- the user's own first registration (aliases carry none): the earliest logged for the user, whose
-- first registration only ever moves earlier (a registration's local day grows with its instant).
-- A helper: not narrowed, not in bi.
CREATE VIEW bi_all.people AS
WITH ids AS (
    SELECT l.project, u.user_id, false AS chat_active, u.first_reg_day
    FROM pipeline.users_log l
    CROSS JOIN LATERAL bi_all.user_elements(l.user_ids, l.first_reg_day) AS u
    UNION ALL
    SELECT l.project, coalesce(a.user_id, c.user_id), c.chat_active, NULL
    FROM pipeline.contacts_log l
    CROSS JOIN LATERAL bi_all.contact_elements(l.user_ids, l.chat_active) AS c
    LEFT JOIN pipeline.aliases a ON a.project = l.project AND a.alias = c.user_id
)
SELECT project, user_id, bool_or(chat_active) AS chat_active, min(first_reg_day) AS first_reg_day,
       date_trunc('month', min(first_reg_day))::date AS cohort_month
FROM ids
GROUP BY project, user_id;

CREATE VIEW bi_all.cohorts_monthly AS
WITH cohort_of AS (
    SELECT project, user_id, cohort_month FROM bi_all.people
), sizes AS (
    SELECT project, cohort_month, count(*) AS cohort_users FROM cohort_of GROUP BY project, cohort_month
), money AS (
    SELECT u.project, u.cohort_month, m.month,
           count(*) FILTER (WHERE m.payments > 0) AS payers,
           sum(m.payments) AS payments, sum(m.revenue) AS revenue, sum(m.refunds) AS refunds
    FROM bi_all.user_monthly_sums m
    JOIN cohort_of u ON u.project = m.project AND u.user_id = m.user_id
    WHERE u.cohort_month IS NULL OR m.month >= u.cohort_month
    GROUP BY u.project, u.cohort_month, m.month
), grid AS (
    SELECT s.project, s.cohort_month, s.cohort_users, month::date AS month
    FROM sizes s
    JOIN pipeline.project_activity a ON a.project = s.project
    CROSS JOIN LATERAL generate_series(
        coalesce(s.cohort_month,
                 (SELECT min(m.month) FROM money m WHERE m.project = s.project AND m.cohort_month IS NULL)),
        date_trunc('month', a.last_day)::date, interval '1 month') AS month
), rows AS (
    SELECT g.project, g.cohort_month, g.month, g.cohort_users,
           coalesce(m.payers, 0) AS payers, coalesce(m.payments, 0) AS payments,
           coalesce(m.revenue, 0) AS revenue, coalesce(m.refunds, 0) AS refunds
    FROM grid g
    LEFT JOIN money m ON m.project = g.project AND m.cohort_month IS NOT DISTINCT FROM g.cohort_month
                     AND m.month = g.month
)
SELECT project, cohort_month, month,
       CASE WHEN cohort_month IS NULL THEN NULL
            ELSE ((extract(year FROM month) - extract(year FROM cohort_month)) * 12
                  + extract(month FROM month) - extract(month FROM cohort_month))::int
       END AS months_since,
       cohort_users, payers::bigint, payments::bigint, revenue, refunds,
       sum(revenue - refunds) OVER w AS cumulative_revenue,
       sum(revenue - refunds) OVER w / cohort_users AS ltv
FROM rows
WINDOW w AS (PARTITION BY project, cohort_month ORDER BY month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE VIEW bi_all.managers_daily AS
WITH facts AS (
    SELECT project, manager_id, created_day AS day, 1 AS orders, 0 AS paid_orders, 0::numeric AS revenue
    FROM pipeline.orders
    UNION ALL
    SELECT project, manager_id, paid_day, 0, 1, 0 FROM pipeline.orders WHERE paid_day IS NOT NULL
    UNION ALL
    SELECT p.project, o.manager_id, p.accepted_day, 0, 0, p.accepted_amount
    FROM pipeline.payments p
    LEFT JOIN pipeline.orders o ON o.project = p.project AND o.order_id = p.accepted_order
    WHERE p.accepted_at IS NOT NULL
)
SELECT project, manager_id, day,
       sum(orders)::bigint AS orders, sum(paid_orders)::bigint AS paid_orders, sum(revenue) AS revenue,
       sum(paid_orders)::numeric / NULLIF(sum(orders), 0) AS conversion
FROM facts
GROUP BY project, manager_id, day;

-- Each person's first open and first click of each letter: the earliest over the ids that
-- resolve to them (§4.12) and over the log's entries of each id (a later batch may log an earlier
-- touch), so a late link merges an alias's opens into its user's. The local day
-- of the earliest instant is the earliest day. A helper: not narrowed, not in bi.
CREATE VIEW bi_all.letter_readers AS
SELECT l.project, r.channel, r.letter_id, coalesce(a.user_id, r.user_id) AS user_id,
       min(r.first_open_at) AS first_open_at, min(r.first_open_day) AS first_open_day,
       min(r.first_click_at) AS first_click_at, min(r.first_click_day) AS first_click_day
FROM pipeline.mail_recipients_log l
CROSS JOIN LATERAL bi_all.recipient_elements(l.channels, l.letter_ids, l.user_ids, l.first_open_at, l.first_open_day,
                                             l.first_click_at, l.first_click_day) AS r
LEFT JOIN pipeline.aliases a ON a.project = l.project AND a.alias = r.user_id
GROUP BY l.project, r.channel, r.letter_id, coalesce(a.user_id, r.user_id);

CREATE VIEW bi_all.mail_daily AS
WITH firsts AS (
    SELECT project, channel, letter_id, first_open_day AS day, 1 AS opens, 0 AS clicks
    FROM bi_all.letter_readers WHERE first_open_day IS NOT NULL
    UNION ALL
    SELECT project, channel, letter_id, first_click_day, 0, 1
    FROM bi_all.letter_readers WHERE first_click_day IS NOT NULL
), uniques AS (
    SELECT project, channel, letter_id, day, sum(opens) AS unique_opens, sum(clicks) AS unique_clicks
    FROM firsts GROUP BY project, channel, letter_id, day
)
SELECT d.project, d.channel, d.letter_id, d.day,
       d.sent, d.delivered, d.opened, d.clicked, d.unsubscribed, d.bounced, d.spam,
       coalesce(u.unique_opens, 0)::bigint AS unique_opens, coalesce(u.unique_clicks, 0)::bigint AS unique_clicks
FROM bi_all.mail_daily_sums d
LEFT JOIN uniques u USING (project, channel, letter_id, day);

-- SPEC §4.8's after-click credit: each accepted payment goes to the letter of its user's latest
-- click strictly before its first acceptance, if at most 7 × 24 h earlier. The user's clicks are
-- those of their own id (unless that id is itself a linked alias) and of every alias linked to
-- them (§4.12). A helper: not narrowed, not in bi.
CREATE VIEW bi_all.mail_credit AS
SELECT p.project, p.payment_id, p.accepted_user, p.accepted_amount, last_click.channel, last_click.letter_id
FROM pipeline.payments p
CROSS JOIN LATERAL (
    SELECT k.channel, k.letter_id, k.clicked_at
    FROM ((SELECT c.channel, c.letter_id, c.clicked_at, c.event_id
           FROM pipeline.mail_clicks c
           WHERE c.project = p.project AND c.user_id = p.accepted_user AND c.clicked_at < p.accepted_at
             AND NOT EXISTS (SELECT 1 FROM pipeline.aliases a WHERE a.project = c.project AND a.alias = c.user_id)
           ORDER BY c.clicked_at DESC, c.event_id DESC LIMIT 1)
          UNION ALL
          (SELECT c.channel, c.letter_id, c.clicked_at, c.event_id
           FROM pipeline.aliases a
           JOIN pipeline.mail_clicks c ON c.project = a.project AND c.user_id = a.alias
           WHERE a.project = p.project AND a.user_id = p.accepted_user AND c.clicked_at < p.accepted_at
           ORDER BY c.clicked_at DESC, c.event_id DESC LIMIT 1)) k
    ORDER BY k.clicked_at DESC, k.event_id DESC LIMIT 1
) last_click
WHERE p.accepted_at IS NOT NULL AND last_click.clicked_at >= p.accepted_at - interval '168 hours';

CREATE VIEW bi_all.mail_letters AS
WITH totals AS (
    SELECT project, channel, letter_id,
           sum(sent)::bigint AS sent, sum(delivered)::bigint AS delivered, sum(opened)::bigint AS opened,
           sum(clicked)::bigint AS clicked, sum(unsubscribed)::bigint AS unsubscribed,
           sum(bounced)::bigint AS bounced, sum(spam)::bigint AS spam
    FROM bi_all.mail_daily_sums GROUP BY project, channel, letter_id
), uniques AS (
    SELECT project, channel, letter_id,
           count(first_open_at) AS unique_opens, count(first_click_at) AS unique_clicks
    FROM bi_all.letter_readers GROUP BY project, channel, letter_id
), credit AS (
    SELECT project, channel, letter_id,
           count(DISTINCT accepted_user) AS payers_after_click, sum(accepted_amount) AS revenue_after_click
    FROM bi_all.mail_credit
    GROUP BY project, channel, letter_id
)
SELECT t.project, t.channel, t.letter_id,
       t.sent, t.delivered, t.opened, t.clicked, t.unsubscribed, t.bounced, t.spam,
       coalesce(u.unique_opens, 0) AS unique_opens, coalesce(u.unique_clicks, 0) AS unique_clicks,
       t.delivered::numeric / NULLIF(t.sent, 0)                     AS delivery_rate,
       coalesce(u.unique_opens, 0)::numeric / NULLIF(t.delivered, 0)  AS open_rate,
       coalesce(u.unique_clicks, 0)::numeric / NULLIF(t.delivered, 0) AS click_rate,
       t.unsubscribed::numeric / NULLIF(t.delivered, 0)             AS unsubscribe_rate,
       coalesce(c.payers_after_click, 0) AS payers_after_click,
       coalesce(c.revenue_after_click, 0) AS revenue_after_click
FROM totals t
LEFT JOIN uniques u USING (project, channel, letter_id)
LEFT JOIN credit c USING (project, channel, letter_id);

-- Active members are people: a member's ids that resolve to one user count once (§4.12).
CREATE VIEW bi_all.chat_daily AS
WITH members AS (
    SELECT l.project, m.chat_id, m.day, count(DISTINCT coalesce(a.user_id, m.user_id)) AS active_members
    FROM pipeline.chat_members_log l
    CROSS JOIN LATERAL bi_all.chat_member_elements(l.chat_ids, l.days, l.user_ids) AS m
    LEFT JOIN pipeline.aliases a ON a.project = l.project AND a.alias = m.user_id
    GROUP BY l.project, m.chat_id, m.day
)
SELECT d.project, d.chat_id, d.day, d.messages, coalesce(m.active_members, 0) AS active_members,
       d.joins, d.leaves
FROM bi_all.chat_daily_sums d
LEFT JOIN members m USING (project, chat_id, day);

CREATE VIEW bi_all.community_conversion AS
WITH money AS (
    SELECT project, user_id, sum(payments) AS payments, sum(revenue) AS revenue
    FROM bi_all.user_monthly_sums GROUP BY project, user_id
)
SELECT u.project, u.cohort_month, u.chat_active,
       count(*) AS users,
       count(*) FILTER (WHERE m.payments > 0) AS payers,
       coalesce(sum(m.revenue), 0) AS revenue
FROM bi_all.people u
LEFT JOIN money m ON m.project = u.project AND m.user_id = u.user_id
GROUP BY u.project, u.cohort_month, u.chat_active;

CREATE VIEW bi_all.overview_daily AS
SELECT f.project, f.day,
       sum(f.impressions)::bigint AS impressions, sum(f.ad_clicks)::bigint AS ad_clicks, sum(f.spend) AS spend,
       sum(f.visits)::bigint AS visits, sum(f.registrations)::bigint AS registrations,
       sum(f.orders)::bigint AS orders, sum(f.paid_orders)::bigint AS paid_orders,
       sum(f.payments)::bigint AS payments, sum(f.revenue) AS revenue, sum(f.refunds) AS refunds,
       sum(f.revenue) / NULLIF(sum(f.payments), 0) AS avg_check,
       coalesce(max(n.new_users), 0) AS new_users
FROM bi_all.funnel_daily f
LEFT JOIN pipeline.new_users_daily n ON n.project = f.project AND n.day = f.day
GROUP BY f.project, f.day;

-- SPEC §4.9: the facts of an order (created, became paid) and of a payment (accepted, refunded),
-- each under the order's current state; a payment counts under the order of its first accepted
-- event for revenue and of its latest event for its refund (§4.15). `order_id` NULL: the
-- payment's order has no event. The products, tags and deal views sum these facts.
CREATE VIEW bi_all.order_facts AS
SELECT o.project, o.order_id, o.created_day AS day, 1 AS orders, 0 AS paid_orders, 0 AS payments,
       0::numeric AS revenue, 0::numeric AS refunds
FROM pipeline.orders o
UNION ALL
SELECT o.project, o.order_id, o.paid_day, 0, 1, 0, 0, 0 FROM pipeline.orders o WHERE o.paid_day IS NOT NULL
UNION ALL
SELECT p.project, o.order_id, p.accepted_day, 0, 0, 1, p.accepted_amount, 0
FROM pipeline.payments p
LEFT JOIN pipeline.orders o ON o.project = p.project AND o.order_id = p.accepted_order
WHERE p.accepted_at IS NOT NULL
UNION ALL
SELECT p.project, o.order_id, p.latest_day, 0, 0, 0, 0, p.latest_amount
FROM pipeline.payments p
LEFT JOIN pipeline.orders o ON o.project = p.project AND o.order_id = p.latest_order
WHERE p.latest_status = 'refunded';

CREATE VIEW bi_all.products_daily AS
SELECT f.project, f.day,
       CASE WHEN f.order_id IS NULL THEN NULL ELSE coalesce(o.product, '') END AS product,
       CASE WHEN f.order_id IS NULL THEN NULL ELSE coalesce(o.offer, '') END AS offer,
       sum(f.orders)::bigint AS orders, sum(f.paid_orders)::bigint AS paid_orders, sum(f.payments)::bigint AS payments,
       sum(f.revenue) AS revenue, sum(f.refunds) AS refunds,
       sum(f.revenue) / NULLIF(sum(f.payments), 0) AS avg_check
FROM bi_all.order_facts f
LEFT JOIN pipeline.orders o ON o.project = f.project AND o.order_id = f.order_id
GROUP BY 1, 2, 3, 4;

-- A tag `kind:value` splits at its first ':'; a tag without one has kind ''. An order counts once
-- per distinct (kind, value), however many of its tags give it.
CREATE VIEW bi_all.order_tags_daily AS
SELECT f.project, f.day, t.tag_kind, t.tag_value,
       sum(f.orders)::bigint AS orders, sum(f.paid_orders)::bigint AS paid_orders, sum(f.payments)::bigint AS payments,
       sum(f.revenue) AS revenue, sum(f.refunds) AS refunds,
       sum(f.revenue) / NULLIF(sum(f.payments), 0) AS avg_check
FROM bi_all.order_facts f
JOIN pipeline.orders o ON o.project = f.project AND o.order_id = f.order_id
CROSS JOIN LATERAL (
    SELECT DISTINCT
           CASE WHEN strpos(tag, ':') > 0 THEN left(tag, strpos(tag, ':') - 1) ELSE '' END AS tag_kind,
           CASE WHEN strpos(tag, ':') > 0 THEN substr(tag, strpos(tag, ':') + 1) ELSE tag END AS tag_value
    FROM jsonb_array_elements_text(coalesce(o.tags, '[]'::jsonb)) AS tag
) t
GROUP BY 1, 2, 3, 4;

-- SPEC §3: an order's entry is its user's latest registration at or before its created_at (ties
-- the larger id), else the user's first registration (ties the smaller id); the deal attribution is
-- the order's own UTM's when it names one, else the entry's, else (unattributed); its funnel the entry's.
CREATE VIEW bi_all.order_deals AS
SELECT o.project, o.order_id,
       CASE WHEN o.deal_network IS NOT NULL THEN o.deal_network ELSE coalesce(e.network, '(unattributed)') END AS network,
       CASE WHEN o.deal_network IS NOT NULL THEN o.deal_campaign_id ELSE coalesce(e.campaign_id, '') END AS campaign_id,
       CASE WHEN o.deal_network IS NOT NULL THEN o.deal_ad_id ELSE coalesce(e.ad_id, '') END AS ad_id,
       coalesce(e.funnel, '') AS funnel
FROM pipeline.orders o
LEFT JOIN LATERAL (
    SELECT c.network, c.campaign_id, c.ad_id, c.funnel
    FROM ((SELECT r.network, r.campaign_id, r.ad_id, r.funnel, 0 AS preference
           FROM pipeline.registrations r
           WHERE r.project = o.project AND r.user_id = o.user_id AND r.registered_at <= o.created_at
           ORDER BY r.registered_at DESC, r.event_id DESC LIMIT 1)
          UNION ALL
          (SELECT r.network, r.campaign_id, r.ad_id, r.funnel, 1
           FROM pipeline.registrations r
           WHERE r.project = o.project AND r.user_id = o.user_id
           ORDER BY r.registered_at, r.event_id LIMIT 1)) c
    ORDER BY c.preference LIMIT 1
) e ON true;

CREATE VIEW bi_all.deal_funnel_daily AS
WITH facts AS (
    SELECT r.project, r.day, r.funnel, r.network, r.campaign_id, r.ad_id, 1 AS registrations, 0 AS orders,
           0 AS paid_orders, 0 AS payments, 0::numeric AS revenue, 0::numeric AS refunds
    FROM pipeline.registrations r
    UNION ALL
    SELECT f.project, f.day, coalesce(d.funnel, ''), coalesce(d.network, '(unattributed)'),
           coalesce(d.campaign_id, ''), coalesce(d.ad_id, ''), 0, f.orders, f.paid_orders, f.payments, f.revenue, f.refunds
    FROM bi_all.order_facts f
    LEFT JOIN bi_all.order_deals d ON d.project = f.project AND d.order_id = f.order_id
)
SELECT project, day, funnel, network, campaign_id, ad_id,
       sum(registrations)::bigint AS registrations, sum(orders)::bigint AS orders,
       sum(paid_orders)::bigint AS paid_orders, sum(payments)::bigint AS payments,
       sum(revenue) AS revenue, sum(refunds) AS refunds
FROM facts
GROUP BY project, day, funnel, network, campaign_id, ad_id;

CREATE VIEW bi_all.ads AS
SELECT project, network, campaign_id, ad_id, campaign_name, ad_group_id, ad_group_name, ad_name
FROM pipeline.ad_names;

CREATE VIEW bi_all.managers AS
SELECT project, manager_id, name FROM pipeline.manager_names;

-- SPEC §4.13: per lesson and day, the users whose first event of each kind for that lesson fell
-- on that day. Learning ids are never resolved (§4.12 resolves chat and mail events only).
CREATE VIEW bi_all.learning_daily AS
SELECT project, course_id, lesson_id, first_day AS day,
       count(*) FILTER (WHERE kind = 'lesson_opened')      AS opened,
       count(*) FILTER (WHERE kind = 'lesson_completed')   AS completed,
       count(*) FILTER (WHERE kind = 'homework_submitted') AS homework_submitted,
       count(*) FILTER (WHERE kind = 'homework_accepted')  AS homework_accepted,
       count(*) FILTER (WHERE kind = 'webinar_attended')   AS attended
FROM pipeline.learning_firsts
GROUP BY project, course_id, lesson_id, first_day;

-- SPEC §4.13: a course's lessons are the distinct non-empty lesson ids opened or completed by
-- anyone; a completer completed every one of them (a user's completed lessons are among them, so
-- equal counts mean all). Payments after start are those first accepted strictly after the
-- student's first learning event of the course, each payment once per course.
CREATE VIEW bi_all.course_progress AS
WITH students AS (
    SELECT project, course_id, user_id, min(first_at) AS started_at,
           count(*) FILTER (WHERE kind = 'lesson_completed' AND lesson_id <> '') AS completed
    FROM pipeline.learning_firsts
    GROUP BY project, course_id, user_id
), lessons AS (
    SELECT project, course_id, count(DISTINCT lesson_id) AS lessons
    FROM pipeline.learning_firsts
    WHERE kind IN ('lesson_opened', 'lesson_completed') AND lesson_id <> ''
    GROUP BY project, course_id
), per_student AS (
    SELECT s.project, s.course_id, s.user_id, coalesce(l.lessons, 0) AS lessons,
           l.lessons > 0 AND s.completed = l.lessons AS completer, paid.payments, paid.revenue
    FROM students s
    LEFT JOIN lessons l USING (project, course_id)
    CROSS JOIN LATERAL (
        SELECT count(*) AS payments, coalesce(sum(p.accepted_amount), 0) AS revenue
        FROM pipeline.payments p
        WHERE p.project = s.project AND p.accepted_user = s.user_id AND p.accepted_at > s.started_at
    ) paid
)
SELECT project, course_id, count(*) AS students, max(lessons) AS lessons,
       count(*) FILTER (WHERE completer) AS completers,
       (count(*) FILTER (WHERE completer))::numeric / count(*) AS completion_rate,
       count(*) FILTER (WHERE payments > 0) AS payers_after_start,
       sum(revenue) AS revenue_after_start
FROM per_student
GROUP BY project, course_id;

-- SPEC §4.13: per webinar lesson, attendees and those whose payment was first accepted strictly
-- after their first attendance and at most 7 × 24 h after it (exact hours, whatever the calendar).
CREATE VIEW bi_all.webinar_conversion AS
SELECT f.project, f.course_id, f.lesson_id, count(*) AS attendees,
       count(*) FILTER (WHERE bought.payments > 0) AS buyers_7d,
       sum(bought.revenue) AS revenue_7d
FROM pipeline.learning_firsts f
CROSS JOIN LATERAL (
    SELECT count(*) AS payments, coalesce(sum(p.accepted_amount), 0) AS revenue
    FROM pipeline.payments p
    WHERE p.project = f.project AND p.accepted_user = f.user_id
      AND p.accepted_at > f.first_at AND p.accepted_at <= f.first_at + interval '168 hours'
) bought
WHERE f.kind = 'webinar_attended'
GROUP BY f.project, f.course_id, f.lesson_id;

-- SPEC §4.14: a user's activity months are those of their chat messages, mail opens and clicks
-- (ids resolved, §4.12), learning events, orders' created_at (the order's current user) and
-- payments' first acceptance (its user). Each user of a cohort counts once per month.
CREATE VIEW bi_all.user_activity AS
SELECT l.project, CASE WHEN m.contact THEN coalesce(a.user_id, m.user_id) ELSE m.user_id END AS user_id, m.month
FROM pipeline.activity_months_log l
CROSS JOIN LATERAL bi_all.activity_month_elements(l.user_ids, l.months, l.contact) AS m
LEFT JOIN pipeline.aliases a ON m.contact AND a.project = l.project AND a.alias = m.user_id
UNION
SELECT project, user_id, date_trunc('month', created_day)::date FROM pipeline.orders
UNION
SELECT project, accepted_user, date_trunc('month', accepted_day)::date
FROM pipeline.payments WHERE accepted_at IS NOT NULL;

CREATE VIEW bi_all.retention_monthly AS
WITH members AS (
    SELECT project, user_id, cohort_month FROM bi_all.people WHERE cohort_month IS NOT NULL
), sizes AS (
    SELECT project, cohort_month, count(*) AS cohort_users FROM members GROUP BY project, cohort_month
), grid AS (
    SELECT s.project, s.cohort_month, s.cohort_users, month::date AS month
    FROM sizes s
    JOIN pipeline.project_activity a ON a.project = s.project
    CROSS JOIN LATERAL generate_series(s.cohort_month, date_trunc('month', a.last_day)::date, interval '1 month') AS month
), active AS (
    SELECT m.project, m.cohort_month, m.user_id, x.month
    FROM members m
    JOIN bi_all.user_activity x ON x.project = m.project AND x.user_id = m.user_id
    WHERE x.month >= m.cohort_month
), active_counts AS (
    SELECT project, cohort_month, month, count(*) AS active_users FROM active GROUP BY project, cohort_month, month
), churn AS (
    SELECT prev.project, prev.cohort_month, (prev.month + interval '1 month')::date AS month, count(*) AS churned
    FROM active prev
    WHERE NOT EXISTS (SELECT 1 FROM active cur
                      WHERE cur.project = prev.project AND cur.user_id = prev.user_id
                        AND cur.month = (prev.month + interval '1 month')::date)
    GROUP BY prev.project, prev.cohort_month, (prev.month + interval '1 month')::date
)
SELECT g.project, g.cohort_month, g.month, g.cohort_users,
       coalesce(a.active_users, 0) AS active_users,
       coalesce(a.active_users, 0)::numeric / g.cohort_users AS retention,
       coalesce(c.churned, 0) AS churned
FROM grid g
LEFT JOIN active_counts a USING (project, cohort_month, month)
LEFT JOIN churn c USING (project, cohort_month, month);

-- SPEC §4.14: payers of each cohort (NULL included) and those with accepted payments for two or
-- more distinct orders (a payment's order for revenue is that of its first accepted event, §4.15).
CREATE VIEW bi_all.repeat_purchases AS
WITH paid AS (
    SELECT project, accepted_user AS user_id, count(DISTINCT accepted_order) AS orders
    FROM pipeline.payments WHERE accepted_at IS NOT NULL
    GROUP BY project, accepted_user
)
SELECT u.project, u.cohort_month, count(p.user_id) AS payers,
       count(*) FILTER (WHERE p.orders >= 2) AS repeat_payers,
       (count(*) FILTER (WHERE p.orders >= 2))::numeric / NULLIF(count(p.user_id), 0) AS repeat_rate
FROM bi_all.people u
LEFT JOIN paid p ON p.project = u.project AND p.user_id = u.user_id
GROUP BY u.project, u.cohort_month;

-- The grants of the querying role: its rows of pipeline.access_grants (NULL project = every
-- project; NULL network = the whole project; NULL campaign = the whole network), and everything
-- for the owner of the tables (and superusers). current_user is the role that runs the query,
-- also inside a view; SET ROLE to a role one is not a member of fails.
CREATE VIEW bi_all.my_grants AS
SELECT g.project, g.network, g.campaign_id FROM pipeline.access_grants g WHERE g.role_name = current_user
UNION ALL
SELECT NULL, NULL, NULL
WHERE pg_has_role(current_user, (SELECT nspowner FROM pg_namespace WHERE nspname = 'pipeline'), 'USAGE');

-- The narrowed views, one per view of bi_all but for its helpers (my_grants, order_facts, order_deals,
-- people, letter_readers, mail_credit, user_activity, and the *_sums): the ad-level ones keep the rows of the ads a grant
-- names (a whole project, or a network, or some of its campaigns), the others only a whole
-- project's rows. security_barrier: a condition of the caller's own (a function that could leak
-- what it sees) is applied only to rows the grants already let through.
DO $$
DECLARE
    view_name text;
BEGIN
    FOREACH view_name IN ARRAY ARRAY['funnel_daily', 'traffic_report', 'creative_daily', 'creative_burnout',
                                     'deal_funnel_daily', 'ads'] LOOP
        EXECUTE format($view$
            CREATE VIEW bi.%1$I WITH (security_barrier) AS
            SELECT v.* FROM bi_all.%1$I v
            WHERE EXISTS (SELECT 1 FROM bi_all.my_grants g
                          WHERE (g.project IS NULL OR g.project = v.project)
                            AND (g.network IS NULL OR g.network = v.network)
                            AND (g.campaign_id IS NULL OR g.campaign_id = v.campaign_id))
            $view$, view_name);
    END LOOP;
    FOREACH view_name IN ARRAY ARRAY['cohorts_monthly', 'managers_daily', 'mail_daily', 'mail_letters', 'chat_daily',
                                     'community_conversion', 'overview_daily', 'products_daily', 'order_tags_daily',
                                     'managers', 'learning_daily', 'course_progress', 'webinar_conversion',
                                     'retention_monthly', 'repeat_purchases'] LOOP
        EXECUTE format($view$
            CREATE VIEW bi.%1$I WITH (security_barrier) AS
            SELECT v.* FROM bi_all.%1$I v
            WHERE EXISTS (SELECT 1 FROM bi_all.my_grants g
                          WHERE g.network IS NULL AND (g.project IS NULL OR g.project = v.project))
            $view$, view_name);
    END LOOP;
    -- A view added to bi_all but to neither list above would be readable by nobody but the owner.
    IF EXISTS (SELECT 1 FROM pg_views a WHERE a.schemaname = 'bi_all'
               AND a.viewname NOT IN ('my_grants', 'order_facts', 'order_deals', 'people', 'letter_readers',
                                      'mail_credit', 'user_activity', 'mail_daily_sums', 'chat_daily_sums',
                                      'user_monthly_sums')
               AND NOT EXISTS (SELECT 1 FROM pg_views b WHERE b.schemaname = 'bi' AND b.viewname = a.viewname)) THEN
        RAISE EXCEPTION 'a view of bi_all has no narrowed view in bi: add it to one of the lists in bi.sql';
    END IF;
END
$$;

CREATE FUNCTION bi.traffic_summary(project text, from_day date, to_day date)
RETURNS TABLE (
    network text, campaign_id text, ad_id text,
    impressions bigint, ad_clicks bigint, spend numeric, visits bigint, registrations bigint,
    orders bigint, paid_orders bigint, payments bigint, revenue numeric, refunds numeric,
    npc numeric)
-- Runs with the caller's rights over the narrowed bi.funnel_daily: no argument reaches past the grants.
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    SELECT f.network, f.campaign_id, f.ad_id,
           sum(f.impressions)::bigint, sum(f.ad_clicks)::bigint, sum(f.spend), sum(f.visits)::bigint,
           sum(f.registrations)::bigint, sum(f.orders)::bigint, sum(f.paid_orders)::bigint,
           sum(f.payments)::bigint, sum(f.revenue), sum(f.refunds),
           CASE WHEN sum(f.revenue) = 0 THEN sum(f.spend) ELSE 0 END
    FROM bi.funnel_daily f
    WHERE f.project = traffic_summary.project
      AND f.day BETWEEN traffic_summary.from_day AND traffic_summary.to_day
    GROUP BY f.network, f.campaign_id, f.ad_id
$$;

CREATE FUNCTION bi.attribution_compare(project text, from_day date, to_day date)
RETURNS TABLE (
    network text, campaign_id text, ad_id text, spend numeric,
    paid_orders_first bigint, paid_orders_deal bigint, revenue_first numeric, revenue_deal numeric,
    refunds_first numeric, refunds_deal numeric, romi_first numeric, romi_deal numeric)
-- SPEC §4.10: first touch (funnel_daily) against deal attribution (deal_funnel_daily) per ad, over
-- the caller's narrowed views like traffic_summary, so a contractor compares only their own ads.
LANGUAGE sql STABLE SECURITY INVOKER AS $$
    WITH first_touch AS (
        SELECT f.network, f.campaign_id, f.ad_id, sum(f.spend) AS spend, sum(f.paid_orders) AS paid_orders,
               sum(f.revenue) AS revenue, sum(f.refunds) AS refunds
        FROM bi.funnel_daily f
        WHERE f.project = attribution_compare.project
          AND f.day BETWEEN attribution_compare.from_day AND attribution_compare.to_day
        GROUP BY f.network, f.campaign_id, f.ad_id
    ), deal AS (
        SELECT d.network, d.campaign_id, d.ad_id, sum(d.paid_orders) AS paid_orders,
               sum(d.revenue) AS revenue, sum(d.refunds) AS refunds
        FROM bi.deal_funnel_daily d
        WHERE d.project = attribution_compare.project
          AND d.day BETWEEN attribution_compare.from_day AND attribution_compare.to_day
        GROUP BY d.network, d.campaign_id, d.ad_id
    ), joined AS (
        SELECT coalesce(t.network, d.network) AS network, coalesce(t.campaign_id, d.campaign_id) AS campaign_id,
               coalesce(t.ad_id, d.ad_id) AS ad_id, coalesce(t.spend, 0) AS spend,
               coalesce(t.paid_orders, 0)::bigint AS paid_orders_first, coalesce(d.paid_orders, 0)::bigint AS paid_orders_deal,
               coalesce(t.revenue, 0) AS revenue_first, coalesce(d.revenue, 0) AS revenue_deal,
               coalesce(t.refunds, 0) AS refunds_first, coalesce(d.refunds, 0) AS refunds_deal
        FROM first_touch t
        FULL JOIN deal d ON d.network = t.network AND d.campaign_id = t.campaign_id AND d.ad_id = t.ad_id
    )
    SELECT j.network, j.campaign_id, j.ad_id, j.spend, j.paid_orders_first, j.paid_orders_deal,
           j.revenue_first, j.revenue_deal, j.refunds_first, j.refunds_deal,
           (j.revenue_first - j.refunds_first - j.spend) / NULLIF(j.spend, 0) * 100,
           (j.revenue_deal - j.refunds_deal - j.spend) / NULLIF(j.spend, 0) * 100
    FROM joined j
    WHERE j.spend <> 0 OR j.paid_orders_first <> 0 OR j.paid_orders_deal <> 0 OR j.revenue_first <> 0
       OR j.revenue_deal <> 0 OR j.refunds_first <> 0 OR j.refunds_deal <> 0
$$;
