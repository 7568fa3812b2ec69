import Events

/// An exact quotient of two decimals, kept unrounded so that every figure is rounded once, where it is shown.
///
/// Built only with a non-zero denominator: a metric whose denominator is 0 is undefined (nil), never 0
/// or NaN. The denominator is kept positive, so comparisons and signs need no case analysis.
public struct Ratio: Sendable, Comparable, CustomStringConvertible {
    public let numerator: DecimalNumber
    public let denominator: DecimalNumber

    /// `numerator / denominator`, or nil when the denominator is zero.
    public init?(_ numerator: DecimalNumber, _ denominator: DecimalNumber) {
        guard !denominator.isZero else { return nil }
        if denominator.isNegative {
            self.numerator = -numerator
            self.denominator = -denominator
        } else {
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// `numerator / denominator` for counts, or nil when the denominator is zero.
    public init?(_ numerator: Int, _ denominator: Int) {
        self.init(DecimalNumber(numerator), DecimalNumber(denominator))
    }

    /// A whole or decimal value as a ratio over 1.
    public init(_ value: DecimalNumber) {
        numerator = value
        denominator = 1
    }

    /// The value rounded half away from zero to `scale` fraction digits, straight from the exact quotient.
    public func rounded(toScale scale: Int) -> DecimalNumber {
        // The denominator is non-zero; nil only if the quotient overflows 38 digits, far beyond any figure.
        numerator.divided(by: denominator, toScale: scale) ?? .zero
    }

    /// The same ratio times a decimal factor (× 100 for percentages).
    public func scaled(by factor: DecimalNumber) -> Ratio {
        Ratio(numerator * factor, denominator)!
    }

    /// The exact difference `a − b` (for changes in percentage points).
    public static func - (lhs: Ratio, rhs: Ratio) -> Ratio {
        Ratio(lhs.numerator * rhs.denominator - rhs.numerator * lhs.denominator, lhs.denominator * rhs.denominator)!
    }

    public var isNegative: Bool { numerator.isNegative }
    public var isZero: Bool { numerator.isZero }

    public static func == (lhs: Ratio, rhs: Ratio) -> Bool {
        lhs.numerator * rhs.denominator == rhs.numerator * lhs.denominator
    }

    public static func < (lhs: Ratio, rhs: Ratio) -> Bool {
        // Both denominators are positive, so cross-multiplying keeps the order.
        lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
    }

    public var description: String { "\(numerator)/\(denominator)" }
}

extension Ratio {
    /// The change from `previous` to `current` in percent of `previous`'s size; nil when `previous` is 0.
    public static func relativeChange(from previous: Ratio, to current: Ratio) -> Ratio? {
        let difference = current - previous
        // (d.n / d.d) / |p.n / p.d| × 100 = d.n × p.d × 100 / (d.d × |p.n|).
        return Ratio(difference.numerator * previous.denominator * 100,
                     difference.denominator * previous.numerator.magnitude)
    }
}
