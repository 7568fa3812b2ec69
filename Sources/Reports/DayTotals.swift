import Events

/// The funnel totals of one day of the project (a row of `bi.overview_daily`).
public struct DayTotals: Sendable, Equatable {
    public var day: LocalDate
    public var totals: FunnelTotals

    public init(day: LocalDate, totals: FunnelTotals) {
        self.day = day
        self.totals = totals
    }
}
