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
        var (numerator, denominator) = (self.numerator.significand, self.denominator.significand)
        while true {
            if let quotient = DecimalNumber(significand: numerator, scale: self.numerator.scale)
                .divided(by: DecimalNumber(significand: denominator, scale: self.denominator.scale), toScale: scale) {
                return quotient
            }
            // numerator × 10^scale overflowed (a difference of cross products can have 30+ digits): drop a
            // digit from both sides; while the denominator keeps 18 digits the quotient stays exact far
            // beyond the digits shown.
            guard denominator.magnitude >= 10 else { return .zero }
            numerator /= 10
            denominator /= 10
        }
    }

    /// The same ratio times a decimal factor (× 100 for percentages).
    public func scaled(by factor: DecimalNumber) -> Ratio {
        if let product = numerator.multipliedExactly(by: factor) { return Ratio(product, denominator)! }
        return Ratio(approximation.multipliedExactly(by: factor) ?? approximation)
    }

    /// The difference `a − b` (for changes in percentage points): exact whenever it fits in 38 digits.
    public static func - (lhs: Ratio, rhs: Ratio) -> Ratio {
        if let left = lhs.numerator.multipliedExactly(by: rhs.denominator),
           let right = rhs.numerator.multipliedExactly(by: lhs.denominator),
           let numerator = difference(left, right),
           let denominator = lhs.denominator.multipliedExactly(by: rhs.denominator) {
            return Ratio(numerator, denominator)!
        }
        // Only sums far beyond any school's money get here; 12 decimals are still far finer than what is shown.
        return Ratio(difference(lhs.approximation, rhs.approximation) ?? .zero)
    }

    /// The value to 12 decimals, where exact arithmetic would overflow.
    var approximation: DecimalNumber { rounded(toScale: 12) }

    /// `a − b` exactly, or nil where it does not fit in 38 digits.
    static func difference(_ a: DecimalNumber, _ b: DecimalNumber) -> DecimalNumber? {
        let scale = max(a.scale, b.scale)
        func aligned(_ value: DecimalNumber) -> Int128? {
            var result = value.significand
            for _ in value.scale..<scale {
                let (next, overflow) = result.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                result = next
            }
            return result
        }
        guard let left = aligned(a), let right = aligned(b) else { return nil }
        let (value, overflow) = left.subtractingReportingOverflow(right)
        return overflow ? nil : DecimalNumber(significand: value, scale: scale)
    }

    public var isNegative: Bool { numerator.isNegative }
    public var isZero: Bool { numerator.isZero }

    public static func == (lhs: Ratio, rhs: Ratio) -> Bool {
        (lhs - rhs).isZero
    }

    public static func < (lhs: Ratio, rhs: Ratio) -> Bool {
        // Both denominators are positive, so the sign of the difference orders them.
        (lhs - rhs).isNegative
    }

    public var description: String { "\(numerator)/\(denominator)" }
}

extension Ratio {
    /// The change from `previous` to `current` in percent of `previous`'s size; nil when `previous` is 0.
    public static func relativeChange(from previous: Ratio, to current: Ratio) -> Ratio? {
        guard !previous.isZero else { return nil }
        let difference = current - previous
        // (d.n / d.d) / |p.n / p.d| × 100 = d.n × p.d × 100 / (d.d × |p.n|).
        if let numerator = difference.numerator.multipliedExactly(by: previous.denominator)?.multipliedExactly(by: 100),
           let denominator = difference.denominator.multipliedExactly(by: previous.numerator.magnitude) {
            return Ratio(numerator, denominator)
        }
        return Ratio(difference.approximation.multipliedExactly(by: 100) ?? .zero, previous.approximation.magnitude)
    }
}
