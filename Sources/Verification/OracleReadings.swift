// Readings the oracle (Oracle.swift) chose where SPEC §2–4 leaves a choice. Comment-only file.
//
//  1. Dedupe is by `id` over the whole input (across projects), first occurrence wins; only then are
//     events with a missing rate excluded (a later duplicate of an excluded id is NOT applied instead).
//  2. Events needing a rate: order (amount/currency, rate day = occurred_at day), payment (same),
//     ad_stats (rate day = `day`). Excluded events count nowhere at all: not in users, not in the
//     project's latest month, not in order state, not in payment first-accepted/latest.
//  3. Rate lookup: fx rows whose base = the project's base currency and currency = the event's, latest
//     day <= the event's day; a later duplicate (base, currency, day) in the input replaces an earlier one.
//  4. Payment "first accepted" event: minimum of the total order (occurred_at, id by UTF-8 bytes), i.e.
//     on a tie the SMALLER id (switch `firstAcceptedTieGoesToLargerID` for the literal "ties go to the
//     larger id"). Latest event: maximum of that order (larger id). The accepted amount/user/order are
//     those of the first accepted event; the refund amount/user/day those of the latest event.
//  5. Order "became paid": events sorted by (occurred_at, id); the day of the event right after the last
//     non-paid event (or of the first event when all are paid). Order day = project-zone day of the
//     latest event's `created_at`; order user/manager = latest event's.
//  6. managers_daily revenue: manager of the order named by the first accepted event's `order_id`
//     (NULL when that order has no applied event). NULL manager is a key value of its own.
//  7. Project's latest month (cohorts grid end) = max month of occurred_at over all applied events of
//     the project (ad_stats by occurred_at, not `day`).
//  8. NULL cohort rows start at the first month in which any of its users has money (accepted payment
//     or refund); no money → no NULL-cohort rows. Non-NULL cohort rows run from the cohort month even
//     when the cohort has no money. Money (payments or refunds) in months before the user's cohort
//     month is dropped from cohorts_monthly. `payers` = users with >= 1 accepted payment that month.
//     `ltv` = cumulative_revenue / cohort_users, cumulative being revenue − refunds.
//  9. Mail unique opens/clicks are per (letter, user), on the day of the user's first `opened` /
//     `clicked` event of that letter; an open is not implied by a click.
// 10. After-click credit: clicks of the accepting user in the same project, strictly before the first
//     accepted instant and at most 7×24 h earlier (inclusive); among clicks on the same instant the
//     larger event id is "latest". payers_after_click = distinct accepting users per letter.
// 11. community_conversion: every user of the project (registration/order/payment/mail/chat user ids
//     of applied events); payers/revenue by the accepting user, any time, gross.
// 12. creative_burnout: latest day = max day over the project's funnel rows; last 7d = days with
//     latest−day in 0...6, prev 7d = 7...13; `stagnating` tested as 2 × last < prev (exact).
// 13. An ad_stats poll whose figures are all zero still makes a funnel row (all-zero, so optional).
// 14. compare(): a row is "all zero" when every non-key, non-text measure column is "0" or NULL.
//     Non-measure columns: creative_daily cum_*; creative_burnout first_day/last_day/status;
//     cohorts_monthly months_since (cohort_users counts as a measure, so grid rows are required).
// 15. Identity (§4.12): per (project, alias) the earliest identity event by (occurred_at, id by UTF-8
//     bytes, smaller first) decides the user; only chat and mail events are rewritten, one step (the
//     linked user is not looked up again); the rewrite is done on the events before any view, so a link
//     whose alias has no chat or mail event changes nothing and adds no user. Identity events are in
//     `applied` (their ids are applied) but count in no view.
// 16. learning_daily: per (lesson, kind, user) the earliest occurred_at; a row per (lesson, day) with at
//     least one such first. lesson_id '' when absent (course-level events are a lesson '' of their own).
// 17. course_progress: `lessons` ignores '' (course-level events make students but no lessons); a
//     course-level lesson_completed completes nothing. payers_after_start / revenue_after_start: payments
//     of the user of the first accepted event with first accepted instant > the student's earliest
//     learning event of the course (any kind, any lesson of it); a payment counts in every course the
//     user started before it.
// 18. webinar_conversion: window (first attendance of that lesson, + 7 × 24 h], instants compared as
//     instants (microseconds).
// 19. retention_monthly: rows exactly where cohorts_monthly has non-NULL cohort rows (cohort month to the
//     project's latest month of §4.8, identity and learning events excluded); activities after that month
//     are in no row; churned in the cohort month is 0, later months compare with the month just before.
// 20. repeat_purchases: a row per cohort with users (NULL included); distinct order_ids are those of the
//     payments' first accepted events; payers = users with at least one accepted payment at any time.
