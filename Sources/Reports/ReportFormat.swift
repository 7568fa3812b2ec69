import Events

/// How figures are written in the report and the digest: one place, so both read alike.
///
/// Money has two decimals, thousands are grouped with a no-break space, negatives take a true minus
/// sign, and an undefined ratio (a zero denominator) is a dash: never 0, never NaN.
public enum ReportFormat {
    /// What an undefined ratio shows.
    public static let undefined = "—"
    /// Between groups of three digits, and between a number and its unit, so neither wraps apart.
    public static let space = "\u{00A0}"
    static let minus = "\u{2212}"

    /// `24 900.00`, `−3 000.00`: rounded half away from zero to kopecks.
    public static func money(_ value: DecimalNumber) -> String {
        decimal(value, scale: 2)
    }

    /// A cost per something (CPC, CPR...), or the dash.
    public static func money(_ ratio: Ratio?) -> String {
        ratio.map { decimal($0.rounded(toScale: 2), scale: 2) } ?? undefined
    }

    /// `1 400`.
    public static func count(_ value: Int) -> String {
        decimal(DecimalNumber(value), scale: 0)
    }

    /// A value that is already a percentage (ROMI, ДРР): `128.1 %`, or the dash.
    public static func percent(_ ratio: Ratio?, scale: Int = 1) -> String {
        ratio.map { decimal($0.rounded(toScale: scale), scale: scale) + space + "%" } ?? undefined
    }

    /// A fraction shown as a percentage (CTR, conversions, open rate): 0.5 → `50.0 %`, or the dash.
    public static func share(_ ratio: Ratio?, scale: Int = 1) -> String {
        percent(ratio?.scaled(by: 100), scale: scale)
    }

    /// A plain fraction (ROAS): `2.59`, or the dash.
    public static func fraction(_ ratio: Ratio?, scale: Int = 2) -> String {
        ratio.map { decimal($0.rounded(toScale: scale), scale: scale) } ?? undefined
    }

    /// The relative change from `previous` to `current` in percent, nil when `previous` is 0.
    public static func change(from previous: DecimalNumber, to current: DecimalNumber) -> Ratio? {
        Ratio((current - previous) * 100, previous.magnitude)
    }

    /// A signed percentage change: `+398.0 %`, `−12.5 %`, `0.0 %`, or the dash.
    public static func signedPercent(_ ratio: Ratio?, scale: Int = 1) -> String {
        guard let ratio else { return undefined }
        return signed(ratio.rounded(toScale: scale), scale: scale) + space + "%"
    }

    /// A signed difference of two percentages, in percentage points: `+71.9 pp`, or the dash.
    public static func signedPoints(_ ratio: Ratio?, scale: Int = 1) -> String {
        guard let ratio else { return undefined }
        return signed(ratio.rounded(toScale: scale), scale: scale) + space + "pp"
    }

    /// A signed amount of money: `+2 500.00`, `−1 000.00`, `0.00`.
    public static func signedMoney(_ value: DecimalNumber) -> String {
        signed(value.rounded(toScale: 2), scale: 2)
    }

    private static func signed(_ value: DecimalNumber, scale: Int) -> String {
        let text = decimal(value, scale: scale)
        return value.isZero || value.isNegative ? text : "+" + text
    }

    /// Rounded to `scale` digits, grouped by three with no-break spaces.
    static func decimal(_ value: DecimalNumber, scale: Int) -> String {
        let rounded = value.rounded(toScale: scale)
        var digits = rounded.magnitude.description
        var fraction = ""
        if let point = digits.firstIndex(of: ".") {
            fraction = String(digits[point...])
            digits = String(digits[..<point])
        }
        var grouped = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped += space }
            grouped.append(character)
        }
        return (rounded.isNegative ? minus : "") + grouped + fraction
    }
}
