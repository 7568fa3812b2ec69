-- Cohort LTV: cumulative net revenue per user by month since the first registration.
SELECT project, cohort_month, months_since, cohort_users, payers, revenue, refunds, cumulative_revenue,
       round(ltv, 2) AS ltv
FROM bi.cohorts_monthly
WHERE cohort_month IS NOT NULL
ORDER BY project, cohort_month, months_since
