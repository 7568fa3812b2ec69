import Events

/// A value axis with round bounds and 1-2-5 steps, always including 0, so gridlines land on readable numbers.
public struct ChartAxis: Sendable, Equatable {
    public let minimum: Int
    public let maximum: Int
    public let step: Int

    /// At most this many steps between the bounds.
    public static let maximumSteps = 5

    /// The smallest 1-2-5 step (1, 2, 5, 10, 20, 50...) that covers `values` and 0 in at most five steps.
    public init(covering values: [DecimalNumber]) {
        let low = min(0, values.map(Self.floor).min() ?? 0)
        let high = max(0, values.map(Self.ceiling).max() ?? 0)
        var step = 1
        var multipliers = [2, 5, 10].makeIterator()
        var decade = 1
        while Self.floorDivide(high + step - 1, step) - Self.floorDivide(low, step) > Self.maximumSteps {
            guard let multiplier = multipliers.next() else {
                decade *= 10
                multipliers = [2, 5, 10].makeIterator()
                continue
            }
            step = decade * multiplier
        }
        self.step = step
        minimum = Self.floorDivide(low, step) * step
        let top = Self.floorDivide(high + step - 1, step) * step
        // An axis needs some height: all zeros still get one step above 0.
        maximum = top == minimum ? minimum + step : top
    }

    /// The gridline values from the minimum to the maximum.
    public var ticks: [Int] { Array(stride(from: minimum, through: maximum, by: step)) }

    static func floor(_ value: DecimalNumber) -> Int {
        let whole = value.rounded(toScale: 0)
        let integer = whole.exactInt ?? 0
        return whole > value ? integer - 1 : integer
    }

    static func ceiling(_ value: DecimalNumber) -> Int {
        let whole = value.rounded(toScale: 0)
        let integer = whole.exactInt ?? 0
        return whole < value ? integer + 1 : integer
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor != 0 && value < 0 ? quotient - 1 : quotient
    }
}
