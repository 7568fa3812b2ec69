import Events
import Reports
import Testing

/// The geometry of the report's charts and tables, computed by hand: axis bounds and steps, SVG
/// coordinates and paths, heatmap colours, funnel bar lengths, curve points, traffic subtotals.
@Suite("report charts and tables")
struct ChartTests {
    static func d(_ text: String) -> DecimalNumber { DecimalNumber(text)! }
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("axis: round 1-2-5 steps, at most five, always through 0", arguments: [
        ([String](), 0, 1, 1),                      // nothing: one step above 0
        (["4000", "2500"], 0, 4000, 1000),          // 4 steps of 1000; 500 would need 8
        (["16400", "-4700", "2000"], -5000, 20000, 5000),  // 2000 would need −6000 … 18000: 12 steps
        (["0.4"], 0, 1, 1),                         // rounded outwards
        (["-0.5"], -1, 0, 1),
        (["24900"], 0, 25000, 5000),
        (["5", "3"], 0, 5, 1),
        (["6"], 0, 6, 2),
    ])
    func axis(_ values: [String], _ minimum: Int, _ maximum: Int, _ step: Int) {
        let axis = ChartAxis(covering: values.map(Self.d))
        #expect(axis == ChartAxis(covering: values.map(Self.d)))
        #expect([axis.minimum, axis.maximum, axis.step] == [minimum, maximum, step])
        #expect(axis.ticks.count <= ChartAxis.maximumSteps + 1)
        #expect(axis.ticks.first == minimum && axis.ticks.last == maximum)
    }

    /// 1100 × 320 with margins 72/16/12/28: the plot is 1012 wide and 280 high.
    static let frame = ChartFrame(firstDay: day("2026-03-08"), lastDay: day("2026-03-14"),
                                  axis: ChartAxis(covering: [d("16400"), d("-4700")]))

    @Test("x: days spread over the plot's width", arguments: [
        ("2026-03-08", "72.0"), ("2026-03-14", "1084.0"), ("2026-03-11", "578.0"),
        ("2026-03-09", "240.7"),  // 72 + 1012/6 = 72 + 168.666… → 168.7
    ])
    func x(_ day: String, _ expected: String) {
        #expect(Self.frame.x(Self.day(day)).description == expected)
    }

    @Test("y: the axis maximum at the top, the minimum at the bottom", arguments: [
        ("20000", "12.0"), ("-5000", "292.0"), ("0", "236.0"),  // 12 + 280 × 20000/25000
        ("16400", "52.3"),    // 12 + 280 × 3600/25000 = 12 + 40.32
        ("-4700", "288.6"),   // 12 + 280 × 24700/25000 = 12 + 276.64
        ("2000", "213.6"),    // 12 + 280 × 18000/25000 = 12 + 201.6
    ])
    func y(_ value: String, _ expected: String) {
        #expect(Self.frame.y(Self.d(value)).description == expected)
    }

    @Test("paths and a one-day chart")
    func paths() {
        #expect(Self.frame.path([(Self.day("2026-03-08"), Self.d("2000")), (Self.day("2026-03-14"), Self.d("16400"))])
            == "M72.0 213.6 L1084.0 52.3")
        #expect(Self.frame.path([]) == "")
        let single = ChartFrame(firstDay: Self.day("2026-03-08"), lastDay: Self.day("2026-03-08"),
                                axis: ChartAxis(covering: [Self.d("1")]))
        #expect(single.x(Self.day("2026-03-08")).description == "578.0")  // (72 + 72 + 1012) / 2
        #expect(single.path([(Self.day("2026-03-08"), Self.d("1"))]) == "M578.0 12.0")
    }

    /// The cohort table of the data set: LTVs 400, 2900 and 4380.
    static let scale = HeatmapScale(values: [d("400"), d("2900"), d("4380")])

    @Test("heatmap colours: each channel low + (high − low) × value/max, half away from zero", arguments: [
        ("0", "#eff6ff"), ("4380", "#08519c"), ("9000", "#08519c"),  // clamped at the top
        ("2190", "#7ca4ce"),   // half: (239+8)/2 = 123.5 → 124, (246+81)/2 = 163.5 → 164, (255+156)/2 = 205.5 → 206
        ("400", "#dae7f6"),    // 239 − 231 × 400/4380 = 217.9 → 218; 246 − 165 × 400/4380 = 230.9 → 231; 255 − 99 × 400/4380 = 245.96 → 246
        ("-54.32", "#fde0dd"), // a negative LTV is flagged, not blended
    ])
    func heatmap(_ value: String, _ expected: String) {
        #expect(Self.scale.colour(for: Self.d(value)).description == expected)
    }

    @Test("heatmap text turns white from 3/5 of the maximum (2628 of 4380)")
    func heatmapText() {
        #expect(Self.scale.wantsLightText(Self.d("2628")))
        #expect(Self.scale.wantsLightText(Self.d("2900")))
        #expect(!Self.scale.wantsLightText(Self.d("2627.99")))
        #expect(!Self.scale.wantsLightText(Self.d("-10")))
        let flat = HeatmapScale(values: [Self.d("-5"), Self.d("0")])
        #expect(flat.maximum == .zero)
        #expect(flat.colour(for: .zero).description == "#eff6ff")
        #expect(HeatmapScale(values: []).colour(for: Self.d("3")).description == "#eff6ff")
    }

    @Test("funnel bars: 700 × log10(v + 1) / log10(max + 1)", arguments: [
        (999, "700.0"), (99, "466.7"), (9, "233.3"), (1, "70.2"), (0, "0"),  // log10 2 = 0.30103 → 70.24
    ])
    func funnel(_ value: Int, _ expected: String) {
        #expect(FunnelGeometry(values: [999, 99, 9, 0]).width(value) == expected)
        #expect(FunnelGeometry(values: []).width(value) == "0")
    }

    static func creative(carriedIn: String?, points: [(String, String)]) -> CreativeCurve {
        CreativeCurve(
            network: "yandex_direct", campaignID: "c-100", adID: "a-1", status: .growing, firstDay: day("2026-02-20"),
            cumulativeSpend: 0, cumulativeRevenue: 0, cumulativeProfit: 0, profitLast7Days: 0, profitPrevious7Days: 0,
            spendLast7Days: 0, carriedIn: carriedIn.map(d),
            points: points.map { CreativeCurve.Point(day: day($0.0), cumulativeProfit: d($0.1)) })
    }

    @Test("curve points: carried in at the period's start, held to its end")
    func curvePoints() throws {
        let period = try ReportPeriod(from: Self.day("2026-03-08"), to: Self.day("2026-03-14"))
        func table(_ curve: CreativeCurve) -> [String] {
            curve.chartPoints(over: period).map { "\($0.day) \($0.cumulativeProfit)" }
        }
        // Creative A of the data set: 2000 on 03-03 is where it enters the period.
        #expect(table(Self.creative(carriedIn: "2000", points: [
            ("2026-03-10", "13900"), ("2026-03-11", "16900"), ("2026-03-14", "16400"),
        ])) == ["2026-03-08 2000", "2026-03-10 13900", "2026-03-11 16900", "2026-03-14 16400"])
        // A creative that starts in the period and stops: nothing before, its last value held.
        #expect(table(Self.creative(carriedIn: nil, points: [("2026-03-09", "-600")]))
            == ["2026-03-09 -600", "2026-03-14 -600"])
        // A row on the first day wins over the carried-in value.
        #expect(table(Self.creative(carriedIn: "5", points: [("2026-03-08", "7")])) == ["2026-03-08 7", "2026-03-14 7"])
        #expect(Self.creative(carriedIn: nil, points: []).name == "yandex_direct / c-100 / a-1")
    }

    @Test("periods: length, the previous period, and a reversed one refused naming --to")
    func periods() throws {
        let period = try ReportPeriod(from: Self.day("2026-03-08"), to: Self.day("2026-03-14"))
        #expect(period.length == 7)
        #expect(period.previous == (try ReportPeriod(from: Self.day("2026-03-01"), to: Self.day("2026-03-07"))))
        #expect(period.days.count == 7 && period.days.last == Self.day("2026-03-14"))
        let month = try ReportPeriod(from: Self.day("2026-03-01"), to: Self.day("2026-03-31"))
        #expect(month.previous.from == Self.day("2026-01-29"))  // 31 days back through February's 28
        #expect(throws: ReportError.self) { try ReportPeriod(from: Self.day("2026-03-14"), to: Self.day("2026-03-08")) }
        do {
            _ = try ReportPeriod(from: Self.day("2026-03-14"), to: Self.day("2026-03-08"))
        } catch let error as ReportError {
            #expect(error.description == "--to: 2026-03-08 is before --from 2026-03-14")
        }
    }

    @Test("traffic lines: byte order, a subtotal under campaigns of several ads, a total")
    func trafficLines() {
        func row(_ network: String, _ campaign: String, _ ad: String, spend: String, revenue: String, npc: String) -> TrafficRow {
            TrafficRow(network: network, campaignID: campaign, adID: ad,
                       totals: FunnelTotals(spend: Self.d(spend), revenue: Self.d(revenue)), npc: Self.d(npc))
        }
        let lines = TrafficTable.lines([
            row("yandex_direct", "c-100", "a-2", spend: "600", revenue: "0", npc: "600"),
            row("(none)", "", "", spend: "0", revenue: "2000", npc: "0"),
            row("vk_ads", "c-200", "b-1", spend: "3500", revenue: "0", npc: "3500"),
            row("yandex_direct", "c-100", "a-1", spend: "5500", revenue: "22900", npc: "0"),
        ])
        #expect(lines.map { "\($0.kind) \($0.row.network)/\($0.row.campaignID)/\($0.row.adID)" } == [
            "ad (none)//", "ad vk_ads/c-200/b-1", "ad yandex_direct/c-100/a-1", "ad yandex_direct/c-100/a-2",
            "campaign yandex_direct/c-100/", "total //",
        ])
        #expect(lines[4].row.totals.spend == Self.d("6100") && lines[4].row.npc == Self.d("600"))
        #expect(lines[5].row.totals.spend == Self.d("9600") && lines[5].row.npc == Self.d("4100"))
        #expect(lines[5].row.totals.revenue == Self.d("24900"))
        #expect(TrafficTable.lines([]).isEmpty)
    }

    @Test("funnel ratios are NULL-like (nil) exactly where a denominator is 0")
    func funnelRatios() {
        // vk_ads/c-200/b-1 in the period: no orders, no revenue.
        let vk = FunnelTotals(impressions: 1400, adClicks: 30, spend: Self.d("3500"), visits: 1, registrations: 1)
        #expect(vk.cpc == Ratio(Self.d("3500"), 30))
        #expect(vk.cpa == nil && vk.cpo == nil && vk.drr == nil && vk.averageCheck == nil && vk.crPaid == nil)
        #expect(vk.romi == Ratio(-100, 1))
        #expect(vk.roas == Ratio(0, 1))
        // Organic: spend 0 makes cost-per ratios 0 where the count exists, and ROMI/ROAS undefined.
        let organic = FunnelTotals(visits: 1, registrations: 1, orders: 1, paidOrders: 1, payments: 1, revenue: Self.d("2000"))
        #expect(organic.cpr == Ratio(0, 1) && organic.cpc == nil && organic.romi == nil && organic.roas == nil)
        #expect(organic.drr == Ratio(0, 1))
        #expect(FunnelTotals.zero.isEmpty && !organic.isEmpty)
    }
}
