import Events

/// Which of a network's days one poll re-reads: networks revise figures for days already reported.
public enum PollWindow: Sendable, Hashable, CustomStringConvertible {
    /// Today and the `count - 1` days before it (`count` ≥ 1).
    case trailingDays(Int)
    /// From the first day of the previous month through today: Google freezes a month only once the next one starts.
    case currentAndPreviousMonth

    /// The days to fetch when the network's today is `today`.
    public func days(endingOn today: LocalDate) -> ClosedRange<LocalDate> {
        switch self {
        case .trailingDays(let count):
            return today.adding(days: -(max(count, 1) - 1))...today
        case .currentAndPreviousMonth:
            return today.monthStart.adding(days: -1).monthStart...today
        }
    }

    public var description: String {
        switch self {
        case .trailingDays(let count): "trailing \(count) day(s)"
        case .currentAndPreviousMonth: "current and previous month"
        }
    }
}
