import Events
import Reports
import Testing

/// The number formats of the report and the digest, worked out by hand: money to kopecks rounded half
/// away from zero, grouped thousands, a true minus, and a dash for every undefined ratio.
@Suite("report number formats")
struct ReportFormatTests {
    static let nbsp = "\u{00A0}"

    static func d(_ text: String) -> DecimalNumber { DecimalNumber(text)! }

    /// Readable expectations: a plain space in the table stands for the no-break space.
    static func spaced(_ text: String) -> String { text.replacingOccurrences(of: " ", with: nbsp) }

    @Test("money", arguments: [
        ("0", "0.00"), ("5", "5.00"), ("999.995", "1 000.00"), ("1234567.891", "1 234 567.89"),
        ("-3000", "−3 000.00"), ("-0.004", "0.00"), ("-0.005", "−0.01"), ("100000", "100 000.00"),
        ("0.125", "0.13"), ("12345678901234.5", "12 345 678 901 234.50"),
    ])
    func money(_ value: String, _ expected: String) {
        #expect(ReportFormat.money(Self.d(value)) == Self.spaced(expected))
    }

    @Test("counts", arguments: [(0, "0"), (999, "999"), (1000, "1 000"), (4700, "4 700"), (-1234567, "−1 234 567")])
    func counts(_ value: Int, _ expected: String) {
        #expect(ReportFormat.count(value) == Self.spaced(expected))
    }

    @Test("costs per something: exact quotient rounded once, dash when the denominator is 0")
    func costs() {
        #expect(ReportFormat.money(Ratio(Self.d("3500"), 30)) == "116.67")   // 116.666…
        #expect(ReportFormat.money(Ratio(Self.d("6100"), 140)) == "43.57")   // 43.5714…
        #expect(ReportFormat.money(Ratio(Self.d("0.125"), 1)) == "0.13")
        #expect(ReportFormat.money(Ratio(Self.d("-0.125"), 1)) == "−0.13")
        #expect(ReportFormat.money(Ratio(Self.d("9600"), 0)) == "—")
        #expect(ReportFormat.money(nil) == "—")
    }

    @Test("percentages, shares and fractions", arguments: [
        // (numerator, denominator, percent of the ratio, the ratio as a share, the ratio as a fraction)
        ("12300", "96", "128.1 %", "12 812.5 %", "128.13"),    // 128.125: half away from zero at 2 digits
        ("1", "2", "0.5 %", "50.0 %", "0.50"),
        ("2", "3", "0.7 %", "66.7 %", "0.67"),
        ("-350000", "3500", "−100.0 %", "−10 000.0 %", "−100.00"),
        ("0", "7", "0.0 %", "0.0 %", "0.00"),
        ("1", "0", "—", "—", "—"),
    ])
    func ratios(_ numerator: String, _ denominator: String, _ percent: String, _ share: String, _ fraction: String) {
        let ratio = Ratio(Self.d(numerator), Self.d(denominator))
        #expect(ReportFormat.percent(ratio) == Self.spaced(percent))
        #expect(ReportFormat.share(ratio) == Self.spaced(share))
        #expect(ReportFormat.fraction(ratio) == Self.spaced(fraction))
    }

    @Test("changes against the previous period", arguments: [
        ("5000", "24900", "+398.0 %"), ("3200", "9600", "+200.0 %"), ("1", "1", "0.0 %"),
        ("4000", "1000", "−75.0 %"), ("-100", "100", "+200.0 %"),  // from a loss to a profit: up by twice its size
        ("3", "2", "−33.3 %"), ("0", "10", "—"), ("0", "0", "—"),
    ])
    func changes(_ previous: String, _ current: String, _ expected: String) {
        let change = ReportFormat.change(from: Self.d(previous), to: Self.d(current))
        #expect(ReportFormat.signedPercent(change) == Self.spaced(expected))
    }

    @Test("changes in percentage points are exact differences of the two quotients")
    func points() {
        // ROMI 12300/9600 × 100 = 128.125 against 1800/3200 × 100 = 56.25: +71.875 → +71.9 pp.
        let now = Ratio(Self.d("1230000"), Self.d("9600"))!
        let before = Ratio(Self.d("180000"), Self.d("3200"))!
        #expect(now - before == Ratio(Self.d("71.875"), 1)!)
        #expect(ReportFormat.signedPoints(now - before) == Self.spaced("+71.9 pp"))
        #expect(ReportFormat.signedPoints(before - now) == Self.spaced("−71.9 pp"))
        #expect(ReportFormat.signedPoints(nil) == "—")
        // 2/3 − 1/3 of a percent is exactly 1/3: 0.3 pp.
        #expect(ReportFormat.signedPoints(Ratio(2, 3)! - Ratio(1, 3)!) == Self.spaced("+0.3 pp"))
    }

    @Test("relative change of two ratios")
    func relativeChange() {
        // CPR 2400 against 3200: −25.0 %; average check 4980 against 5000: −0.4 %.
        #expect(Ratio.relativeChange(from: Ratio(Self.d("3200"), 1)!, to: Ratio(Self.d("9600"), 4)!) == Ratio(-25, 1)!)
        #expect(ReportFormat.signedPercent(Ratio.relativeChange(from: Ratio(Self.d("5000"), 1)!, to: Ratio(Self.d("24900"), 5)!))
            == Self.spaced("−0.4 %"))
        #expect(Ratio.relativeChange(from: Ratio(0, 5)!, to: Ratio(1, 5)!) == nil)
        // Against a negative value: from −50 to −25 is up by half of 50.
        #expect(Ratio.relativeChange(from: Ratio(-50, 1)!, to: Ratio(-25, 1)!) == Ratio(50, 1)!)
    }

    @Test("sums beyond exact 38-digit cross products still give a change, not a crash")
    func hugeValues() {
        // ROAS 223456789012345.67 / 98765432109876.55 against 123456789012345.67 / 98765432109876.54:
        // the cross products need about 47 digits. The change is 100000000000000 / 123456789012345.67
        // = 0.8100000074 of the previous ROAS (the spends differ by 1e-16 of themselves): +81.0 %.
        let before = Ratio(Self.d("123456789012345.67"), Self.d("98765432109876.54"))!
        let now = Ratio(Self.d("223456789012345.67"), Self.d("98765432109876.55"))!
        #expect(ReportFormat.signedPercent(Ratio.relativeChange(from: before, to: now)) == Self.spaced("+81.0 %"))
        #expect(before < now && now != before)
        #expect(ReportFormat.fraction(now - before) == "1.01")  // 100000000000000 / 98765432109876.5 = 1.0125
    }

    @Test("a ratio keeps its denominator positive, so order and equality hold across signs")
    func ratioSigns() {
        #expect(Ratio(1, -2)! == Ratio(-1, 2)!)
        #expect(Ratio(1, -2)! < Ratio(0, 1)!)
        #expect(Ratio(2, 4)! == Ratio(1, 2)!)
        #expect(Ratio(1, 3)! < Ratio(1, 2)!)
        #expect(Ratio(Self.d("-1"), Self.d("-3"))!.rounded(toScale: 3) == Self.d("0.333"))
        #expect(Ratio(5, 0) == nil)
    }

    @Test("HTML escaping of outside text", arguments: [
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("a&b", "a&amp;b"), ("\"quoted\"", "&quot;quoted&quot;"), ("весна-2026", "весна-2026"), ("", ""),
        ("&amp;", "&amp;amp;"),
    ])
    func escaping(_ text: String, _ expected: String) {
        #expect(HTML.escape(text) == expected)
    }
}
