import Events

/// The colour of a cohort cell: from a pale blue at 0 to a deep blue at the table's largest value.
///
/// Exact arithmetic on the decimals (no floating point), so a value always gets the same colour.
public struct HeatmapScale: Sendable, Equatable {
    /// An sRGB colour written as `#rrggbb`.
    public struct Colour: Sendable, Equatable, CustomStringConvertible {
        public var red: Int
        public var green: Int
        public var blue: Int

        public init(red: Int, green: Int, blue: Int) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        public var description: String {
            "#" + [red, green, blue].map { channel in
                let hex = String(channel, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
        }
    }

    /// The colour of 0 (and of anything below the top when the top is not positive).
    public static let low = Colour(red: 0xef, green: 0xf6, blue: 0xff)
    /// The colour of the largest value.
    public static let high = Colour(red: 0x08, green: 0x51, blue: 0x9c)
    /// Negative values (refunds exceeding revenue) stand out in a pale red.
    public static let negative = Colour(red: 0xfd, green: 0xe0, blue: 0xdd)
    /// From this share of the top on, cell text is white for contrast.
    public static let lightTextFrom = Ratio(3, 5)!

    public let maximum: DecimalNumber

    /// A scale topping out at the largest of `values` (0 when there is none or none is positive).
    public init(values: [DecimalNumber]) {
        maximum = values.max().map { $0.isNegative ? .zero : $0 } ?? .zero
    }

    /// Where `value` sits between 0 and the maximum, clamped to 0...1; nil when the maximum is 0.
    public func position(_ value: DecimalNumber) -> Ratio? {
        guard let share = Ratio(value, maximum) else { return nil }
        if share.isNegative { return Ratio(0, 1) }
        return share > Ratio(1, 1)! ? Ratio(1, 1) : share
    }

    /// The background of a cell: each channel `low + (high − low) × position`, rounded half away from zero.
    public func colour(for value: DecimalNumber) -> Colour {
        if value.isNegative { return Self.negative }
        guard let position = position(value) else { return Self.low }
        func channel(_ low: Int, _ high: Int) -> Int {
            let mixed = Ratio(DecimalNumber(low) * position.denominator + DecimalNumber(high - low) * position.numerator,
                              position.denominator)!
            return mixed.rounded(toScale: 0).exactInt ?? low
        }
        return Colour(red: channel(Self.low.red, Self.high.red), green: channel(Self.low.green, Self.high.green),
                      blue: channel(Self.low.blue, Self.high.blue))
    }

    /// Whether text on this value's background should be white rather than dark.
    public func wantsLightText(_ value: DecimalNumber) -> Bool {
        guard !value.isNegative, let position = position(value) else { return false }
        return position >= Self.lightTextFrom
    }
}
