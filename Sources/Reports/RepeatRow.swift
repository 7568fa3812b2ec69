import Events

/// A cohort's payers and those who paid for two or more distinct orders (`bi.repeat_purchases`).
public struct RepeatRow: Sendable, Equatable {
    /// The month of the users' first registration; nil for users with no registration yet.
    public var cohortMonth: LocalDate?
    public var payers: Int
    public var repeatPayers: Int

    public init(cohortMonth: LocalDate?, payers: Int, repeatPayers: Int) {
        self.cohortMonth = cohortMonth
        self.payers = payers
        self.repeatPayers = repeatPayers
    }

    /// repeat payers / payers.
    public var repeatRate: Ratio? { Ratio(repeatPayers, payers) }
}
