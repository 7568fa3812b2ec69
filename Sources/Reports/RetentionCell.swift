import Events

/// One cohort's activity in one month (a row of `bi.retention_monthly`).
public struct RetentionCell: Sendable, Equatable {
    /// The month of the users' first registration.
    public var cohortMonth: LocalDate
    public var month: LocalDate
    public var cohortUsers: Int
    /// Users of the cohort with a chat message, mail open or click, learning step, order or payment in `month`.
    public var activeUsers: Int
    /// Users active in the month before but not in this one (0 in the cohort month).
    public var churned: Int

    public init(cohortMonth: LocalDate, month: LocalDate, cohortUsers: Int, activeUsers: Int, churned: Int) {
        self.cohortMonth = cohortMonth
        self.month = month
        self.cohortUsers = cohortUsers
        self.activeUsers = activeUsers
        self.churned = churned
    }

    /// active users / cohort users.
    public var retention: Ratio? { Ratio(activeUsers, cohortUsers) }
    /// Whole months from the cohort month to `month`.
    public var monthsSince: Int { (month.year - cohortMonth.year) * 12 + month.month - cohortMonth.month }
}
