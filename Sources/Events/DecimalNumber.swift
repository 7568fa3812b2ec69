/// An exact decimal number (`significand × 10^-scale`) for money, so no amount ever passes through binary floating point.
///
/// Values compare numerically (`1.5 == 1.50`), but `description` keeps the scale (`"1.50"`), which is
/// what a price or a rounded base-currency amount should print as. Arithmetic traps on overflow, like
/// Swift's integers; the range (38 significant digits) is far beyond any amount an event can carry.
public struct DecimalNumber: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible, ExpressibleByIntegerLiteral {
    /// The largest supported scale: 10^38 still fits in `Int128`.
    public static let maximumScale = 38

    // The significand is kept as two 64-bit halves and the scale as one byte: an `Int128` field
    // aligns the struct to 16 bytes (32 in all), and the worker holds millions of amounts in its
    // ledgers and payments; this layout takes 24.
    private let lowBits: UInt64
    private let highBits: Int64
    private let storedScale: UInt8

    /// The unscaled integer value.
    public var significand: Int128 { Int128(highBits) << 64 | Int128(lowBits) }
    /// The number of digits after the decimal point, `0...maximumScale`.
    public var scale: Int { Int(storedScale) }

    /// Creates `significand × 10^-scale`; `scale` must be within `0...maximumScale`.
    public init(significand: Int128, scale: Int) {
        precondition((0...Self.maximumScale).contains(scale), "DecimalNumber scale \(scale) out of range")
        lowBits = UInt64(truncatingIfNeeded: significand)
        highBits = Int64(truncatingIfNeeded: significand >> 64)
        storedScale = UInt8(scale)
    }

    public init(_ value: Int) {
        self.init(significand: Int128(value), scale: 0)
    }

    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// Parses `-?digits(.digits)?` (no exponent, no `+`, no spaces) with at most 38 digits in all.
    public init?(_ description: String) {
        var utf8 = Substring(description).utf8[...]
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        var significand: Int128 = 0
        var digitCount = 0
        var scale = 0
        var seenPoint = false
        var integerDigits = 0
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint, integerDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            digitCount += 1
            guard digitCount <= Self.maximumScale else { return nil }
            significand = significand * 10 + Int128(byte - UInt8(ascii: "0"))
            if seenPoint { scale += 1 } else { integerDigits += 1 }
        }
        guard integerDigits > 0, !seenPoint || scale > 0 else { return nil }
        self.init(significand: negative ? -significand : significand, scale: scale)
    }

    public static let zero = DecimalNumber(significand: 0, scale: 0)

    public var isZero: Bool { significand == 0 }
    public var isNegative: Bool { significand < 0 }

    /// The absolute value, keeping the scale.
    public var magnitude: DecimalNumber { DecimalNumber(significand: significand < 0 ? -significand : significand, scale: scale) }

    /// The same value with trailing fractional zeros removed (`1.500` → `1.5`, `2.00` → `2`).
    public var normalized: DecimalNumber {
        var significand = significand
        var scale = scale
        while scale > 0, significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        return DecimalNumber(significand: significand, scale: scale)
    }

    /// Plain positional notation with exactly `scale` fraction digits: `"1490.00"`, `"-0.5"`, `"0"`.
    public var description: String {
        let negative = significand < 0
        var digits = String(significand.magnitude)
        guard scale > 0 else { return (negative ? "-" : "") + digits }
        if digits.count <= scale {
            digits = String(repeating: "0", count: scale - digits.count + 1) + digits
        }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
    }

    public func hash(into hasher: inout Hasher) {
        // Hash the normalized form so that equal values (1.5 and 1.50) hash alike.
        let normal = normalized
        hasher.combine(normal.significand)
        hasher.combine(normal.scale)
    }

    public static func == (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        compare(lhs, rhs) == 0
    }

    public static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// Compares without rescaling the whole significand, which could overflow; only the fractional
    /// remainders are aligned, and those are below 10^38.
    private static func compare(_ lhs: DecimalNumber, _ rhs: DecimalNumber) -> Int {
        let lhsInteger = lhs.significand / powerOfTen(lhs.scale)
        let rhsInteger = rhs.significand / powerOfTen(rhs.scale)
        if lhsInteger != rhsInteger { return lhsInteger < rhsInteger ? -1 : 1 }
        let scale = max(lhs.scale, rhs.scale)
        let lhsFraction = (lhs.significand % powerOfTen(lhs.scale)) * powerOfTen(scale - lhs.scale)
        let rhsFraction = (rhs.significand % powerOfTen(rhs.scale)) * powerOfTen(scale - rhs.scale)
        if lhsFraction == rhsFraction { return 0 }
        return lhsFraction < rhsFraction ? -1 : 1
    }

    public static func + (lhs: DecimalNumber, rhs: DecimalNumber) -> DecimalNumber {
        let scale = max(lhs.scale, rhs.scale)
        return DecimalNumber(significand: lhs.rescaledSignificand(to: scale) + rhs.rescaledSignificand(to: scale), scale: scale)
    }

    public static func - (lhs: DecimalNumber, rhs: DecimalNumber) -> DecimalNumber {
        let scale = max(lhs.scale, rhs.scale)
        return DecimalNumber(significand: lhs.rescaledSignificand(to: scale) - rhs.rescaledSignificand(to: scale), scale: scale)
    }

    public static prefix func - (operand: DecimalNumber) -> DecimalNumber {
        DecimalNumber(significand: -operand.significand, scale: operand.scale)
    }

    /// The exact product; its scale is the sum of the scales (trailing zeros are dropped first if that exceeds 38).
    public static func * (lhs: DecimalNumber, rhs: DecimalNumber) -> DecimalNumber {
        var (lhs, rhs) = (lhs, rhs)
        if lhs.scale + rhs.scale > maximumScale {
            (lhs, rhs) = (lhs.normalized, rhs.normalized)
        }
        precondition(lhs.scale + rhs.scale <= maximumScale, "DecimalNumber product needs more than \(maximumScale) fraction digits")
        let (product, overflow) = lhs.significand.multipliedReportingOverflow(by: rhs.significand)
        precondition(!overflow, "DecimalNumber multiplication overflow")
        return DecimalNumber(significand: product, scale: lhs.scale + rhs.scale)
    }

    /// The exact product, or nil where `*` would trap (more than 38 digits or fraction digits):
    /// for values from outside, which must never stop a worker.
    public func multipliedExactly(by other: DecimalNumber) -> DecimalNumber? {
        var (lhs, rhs) = (self, other)
        if lhs.scale + rhs.scale > Self.maximumScale { (lhs, rhs) = (lhs.normalized, rhs.normalized) }
        guard lhs.scale + rhs.scale <= Self.maximumScale else { return nil }
        let (product, overflow) = lhs.significand.multipliedReportingOverflow(by: rhs.significand)
        return overflow ? nil : DecimalNumber(significand: product, scale: lhs.scale + rhs.scale)
    }

    public static func += (lhs: inout DecimalNumber, rhs: DecimalNumber) { lhs = lhs + rhs }
    public static func -= (lhs: inout DecimalNumber, rhs: DecimalNumber) { lhs = lhs - rhs }
    public static func *= (lhs: inout DecimalNumber, rhs: DecimalNumber) { lhs = lhs * rhs }

    /// Rounds half away from zero to `scale` fraction digits (`0.125` → `0.13`, `-0.125` → `-0.13`);
    /// a value with fewer digits is padded, so the result always has exactly `scale` digits.
    public func rounded(toScale scale: Int) -> DecimalNumber {
        precondition((0...Self.maximumScale).contains(scale), "DecimalNumber scale \(scale) out of range")
        if scale >= self.scale {
            return DecimalNumber(significand: rescaledSignificand(to: scale), scale: scale)
        }
        let divisor = Self.powerOfTen(self.scale - scale)
        return DecimalNumber(significand: Self.divideRoundingHalfAwayFromZero(significand, divisor), scale: scale)
    }

    /// `self / divisor` rounded half away from zero to `scale` fraction digits; nil when the divisor
    /// is zero or the quotient does not fit. Meant for ratios such as an average check.
    public func divided(by divisor: DecimalNumber, toScale scale: Int) -> DecimalNumber? {
        guard !divisor.isZero, (0...Self.maximumScale).contains(scale) else { return nil }
        // self/divisor × 10^scale = s1 × 10^(scale + s2 - s1) / s2.
        let exponent = scale + divisor.scale - self.scale
        var numerator = significand
        var denominator = divisor.significand
        if exponent >= 0 {
            guard exponent <= Self.maximumScale else { return nil }
            let (value, overflow) = numerator.multipliedReportingOverflow(by: Self.powerOfTen(exponent))
            if overflow { return nil }
            numerator = value
        } else {
            guard -exponent <= Self.maximumScale else { return DecimalNumber(significand: 0, scale: scale) }
            let (value, overflow) = denominator.multipliedReportingOverflow(by: Self.powerOfTen(-exponent))
            if overflow { return DecimalNumber(significand: 0, scale: scale) }
            denominator = value
        }
        return DecimalNumber(significand: Self.divideRoundingHalfAwayFromZero(numerator, denominator), scale: scale)
    }

    /// The value as an `Int`, if it is a whole number within range.
    public var exactInt: Int? {
        let normal = normalized
        guard normal.scale == 0 else { return nil }
        return Int(exactly: normal.significand)
    }

    private func rescaledSignificand(to scale: Int) -> Int128 {
        precondition(scale >= self.scale && scale <= Self.maximumScale)
        let (value, overflow) = significand.multipliedReportingOverflow(by: Self.powerOfTen(scale - self.scale))
        precondition(!overflow, "DecimalNumber overflow rescaling \(self) to scale \(scale)")
        return value
    }

    private static func divideRoundingHalfAwayFromZero(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        let remainderMagnitude = remainder.magnitude
        // Compare 2r with d without computing 2r, which could overflow.
        guard remainderMagnitude >= denominator.magnitude - remainderMagnitude else { return quotient }
        return (numerator < 0) != (denominator < 0) ? quotient - 1 : quotient + 1
    }

    static func powerOfTen(_ exponent: Int) -> Int128 {
        powersOfTen[exponent]
    }

    private static let powersOfTen: [Int128] = {
        var powers: [Int128] = [1]
        for _ in 1...maximumScale { powers.append(powers[powers.count - 1] * 10) }
        return powers
    }()
}
