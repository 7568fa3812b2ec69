import Events

/// One creative (ad) with its burnout figures and its cumulative profit day by day.
public struct CreativeCurve: Sendable, Equatable {
    /// One day present in `bi.creative_daily`: the running profit up to and including that day.
    public struct Point: Sendable, Equatable {
        public var day: LocalDate
        public var cumulativeProfit: DecimalNumber

        public init(day: LocalDate, cumulativeProfit: DecimalNumber) {
            self.day = day
            self.cumulativeProfit = cumulativeProfit
        }
    }

    public var network: String
    public var campaignID: String
    public var adID: String
    public var status: CreativeStatus
    public var firstDay: LocalDate
    public var cumulativeSpend: DecimalNumber
    public var cumulativeRevenue: DecimalNumber
    public var cumulativeProfit: DecimalNumber
    public var profitLast7Days: DecimalNumber
    public var profitPrevious7Days: DecimalNumber
    public var spendLast7Days: DecimalNumber
    /// Spend within the report's period (what orders the chart's legend).
    public var periodSpend: DecimalNumber
    /// The running profit on the last day with a row before the period, if any: where the curve starts.
    public var carriedIn: DecimalNumber?
    /// The days of the period that have a row, in day order.
    public var points: [Point]

    public init(network: String, campaignID: String, adID: String, status: CreativeStatus, firstDay: LocalDate,
                cumulativeSpend: DecimalNumber, cumulativeRevenue: DecimalNumber, cumulativeProfit: DecimalNumber,
                profitLast7Days: DecimalNumber, profitPrevious7Days: DecimalNumber, spendLast7Days: DecimalNumber,
                periodSpend: DecimalNumber = .zero, carriedIn: DecimalNumber? = nil, points: [Point] = []) {
        self.network = network
        self.campaignID = campaignID
        self.adID = adID
        self.status = status
        self.firstDay = firstDay
        self.cumulativeSpend = cumulativeSpend
        self.cumulativeRevenue = cumulativeRevenue
        self.cumulativeProfit = cumulativeProfit
        self.profitLast7Days = profitLast7Days
        self.profitPrevious7Days = profitPrevious7Days
        self.spendLast7Days = spendLast7Days
        self.periodSpend = periodSpend
        self.carriedIn = carriedIn
        self.points = points
    }

    /// `network / campaign / ad`, empty parts shown as `''` so that organic rows stay readable.
    public var name: String { [network, campaignID, adID].map { $0.isEmpty ? "''" : $0 }.joined(separator: " / ") }

    /// The points to draw over `period`: the carried-in value on the first day (when the creative
    /// started earlier and has no row that day), then the period's rows, then the last value held to the
    /// period's end, since a running total stays put on days without a row.
    public func chartPoints(over period: ReportPeriod) -> [Point] {
        var result: [Point] = []
        if let carriedIn, points.first?.day != period.from {
            result.append(Point(day: period.from, cumulativeProfit: carriedIn))
        }
        result += points
        if let last = result.last, last.day < period.to {
            result.append(Point(day: period.to, cumulativeProfit: last.cumulativeProfit))
        }
        return result
    }
}
