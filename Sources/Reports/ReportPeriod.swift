import Events

/// The days a report covers, both bounds inclusive, and the equally long period just before it.
public struct ReportPeriod: Sendable, Equatable {
    public let from: LocalDate
    public let to: LocalDate

    /// Throws `.invalidArgument` naming `--to` when the period ends before it starts.
    public init(from: LocalDate, to: LocalDate) throws {
        guard from <= to else {
            throw ReportError(.invalidArgument, "--to: \(to) is before --from \(from)")
        }
        self.from = from
        self.to = to
    }

    /// The number of days, both bounds counted.
    public var length: Int { from.days(to: to) + 1 }

    /// The period of the same length that ends the day before `from`: what the headline compares with.
    public var previous: ReportPeriod {
        // from ≤ to, so the shifted bounds are ordered too.
        try! ReportPeriod(from: from.adding(days: -length), to: from.adding(days: -1))
    }

    /// Every day of the period in order.
    public var days: [LocalDate] { (0..<length).map { from.adding(days: $0) } }
}
