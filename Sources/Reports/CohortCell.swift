import Events

/// One cohort's money in one month (a row of `bi.cohorts_monthly`).
public struct CohortCell: Sendable, Equatable {
    /// The month of the users' first registration; nil for users with no registration yet.
    public var cohortMonth: LocalDate?
    public var month: LocalDate
    /// Months from the cohort month; nil for the cohort of users with no registration.
    public var monthsSince: Int?
    public var cohortUsers: Int
    public var payers: Int
    public var payments: Int
    public var revenue: DecimalNumber
    public var refunds: DecimalNumber
    /// Revenue − refunds from the cohort month through `month`.
    public var cumulativeRevenue: DecimalNumber

    public init(cohortMonth: LocalDate?, month: LocalDate, monthsSince: Int?, cohortUsers: Int, payers: Int,
                payments: Int, revenue: DecimalNumber, refunds: DecimalNumber, cumulativeRevenue: DecimalNumber) {
        self.cohortMonth = cohortMonth
        self.month = month
        self.monthsSince = monthsSince
        self.cohortUsers = cohortUsers
        self.payers = payers
        self.payments = payments
        self.revenue = revenue
        self.refunds = refunds
        self.cumulativeRevenue = cumulativeRevenue
    }

    /// Cumulative net revenue per cohort user.
    public var ltv: Ratio? { Ratio(cumulativeRevenue, DecimalNumber(cohortUsers)) }
}
