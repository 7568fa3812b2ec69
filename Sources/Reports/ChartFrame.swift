import Events

/// The plot area of a chart in SVG user units and the mapping of days and values onto it.
///
/// Coordinates are exact decimals rounded to one digit, so the same data always gives the same markup.
public struct ChartFrame: Sendable, Equatable {
    public var width = 1100
    public var height = 320
    public var left = 72
    public var right = 16
    public var top = 12
    public var bottom = 28
    public let firstDay: LocalDate
    public let lastDay: LocalDate
    public let axis: ChartAxis

    public init(firstDay: LocalDate, lastDay: LocalDate, axis: ChartAxis, width: Int = 1100, height: Int = 320) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.axis = axis
        self.width = width
        self.height = height
    }

    public var plotWidth: Int { width - left - right }
    public var plotHeight: Int { height - top - bottom }

    /// The horizontal position of a day: the first day at the left edge, the last at the right
    /// (a one-day range sits in the middle).
    public func x(_ day: LocalDate) -> DecimalNumber {
        let span = firstDay.days(to: lastDay)
        guard let share = Ratio(firstDay.days(to: day), span) else {
            return Ratio(DecimalNumber(2 * left + plotWidth), 2)!.rounded(toScale: 1)
        }
        return (DecimalNumber(left) + share.scaled(by: DecimalNumber(plotWidth)).rounded(toScale: 1)).rounded(toScale: 1)
    }

    /// The vertical position of a value: the axis maximum at the top, the minimum at the bottom.
    public func y(_ value: DecimalNumber) -> DecimalNumber {
        let share = Ratio(DecimalNumber(axis.maximum) - value, DecimalNumber(axis.maximum - axis.minimum))!
        return (DecimalNumber(top) + share.scaled(by: DecimalNumber(plotHeight)).rounded(toScale: 1)).rounded(toScale: 1)
    }

    /// An SVG path through the points in order: `M x y L x y ...`; empty for no points.
    public func path(_ points: [(day: LocalDate, value: DecimalNumber)]) -> String {
        points.enumerated().map { index, point in
            "\(index == 0 ? "M" : "L")\(x(point.day)) \(y(point.value))"
        }.joined(separator: " ")
    }
}
