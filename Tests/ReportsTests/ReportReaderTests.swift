import Events
import Logging
import Postgres
import Reports
import Testing

/// The reader against a real PostgreSQL holding `ReportDataSet`, applied by the real worker: every
/// figure it returns equals the hand derivation (`ReportExpectations`).
@Suite("report reader on the hand-computed data set")
struct ReportReaderTests {
    static func withReader<T>(_ body: (ReportReader) throws -> T) async throws -> T {
        let connection = try PostgresConnection(connectionString: try await ReportDataSet.databaseURL(), logger: ReportDataSet.logger())
        defer { connection.close() }
        return try body(ReportReader(connection: connection))
    }

    @Test("the report's every part")
    func report() async throws {
        let report = try await Self.withReader {
            try $0.report(project: ReportDataSet.project, currency: "RUB", period: ReportExpectations.period,
                          generatedAt: ReportExpectations.generatedAt)
        }
        let expected = ReportExpectations.report
        #expect(report.totals == expected.totals)
        #expect(report.newUsers == 4)
        #expect(report.previousTotals == expected.previousTotals)
        #expect(report.previousNewUsers == 1)
        #expect(report.daily == expected.daily)
        func key(_ row: TrafficRow) -> String { "\(row.network)/\(row.campaignID)/\(row.adID)" }
        #expect(report.traffic.sorted { key($0) < key($1) } == expected.traffic)
        #expect(report.cohorts == expected.cohorts)
        #expect(report.creatives.sorted { $0.name < $1.name } == expected.creatives)
        #expect(report.creativesAsOf == LocalDate("2026-03-14"))
        #expect(report.letters == expected.letters)
        #expect(report.managers.sorted { ($0.managerID ?? "") < ($1.managerID ?? "") } == expected.managers)
        #expect(report.chats == expected.chats)
        #expect(report.community == expected.community)
        #expect(report.products == expected.products)
        #expect(report.tags == expected.tags)
        #expect(report.attribution == expected.attribution)
        #expect(report.names == expected.names)
        // The products view covers every order and payment: its totals are the headline's.
        let products = report.products.reduce(SalesFigures.zero) { $0 + $1.current }
        #expect(products == SalesFigures(orders: report.totals.orders, paidOrders: report.totals.paidOrders,
                                         payments: report.totals.payments, revenue: report.totals.revenue,
                                         refunds: report.totals.refunds))
        // And so, all of it (orders aside), the page rendered from the database is the page of the derivation.
        var sorted = report
        sorted.traffic = expected.traffic
        sorted.creatives = expected.creatives
        sorted.managers = expected.managers
        #expect(sorted == expected)
    }

    @Test("an earlier period: previous-period totals, cohorts cut at its month, creatives carried in")
    func earlierPeriod() async throws {
        let period = try ReportPeriod(from: LocalDate("2026-02-20")!, to: LocalDate("2026-02-28")!)
        let report = try await Self.withReader {
            try $0.report(project: ReportDataSet.project, currency: "RUB", period: period,
                          generatedAt: ReportExpectations.generatedAt)
        }
        // 02-20 … 02-28: A 02-20 (1000 spend, reg u1), B 02-22 (800, reg u2), B 02-23 (o2 paid, p2 800).
        #expect(report.totals == FunnelTotals(impressions: 1800, adClicks: 66, spend: DecimalNumber(1800), registrations: 2,
                                              orders: 1, paidOrders: 1, payments: 1, revenue: DecimalNumber(800)))
        #expect(report.newUsers == 2)
        #expect(report.previousTotals == .zero)  // 02-11 … 02-19: nothing yet
        // Only February's cohort, only its first month: March's money is after the period.
        #expect(report.cohorts == [ReportExpectations.cohorts[0]])
        // B: −800 on 02-22, 0 on 02-23; statuses stay those of the latest day (03-14).
        let vk = report.creatives.first { $0.network == "vk_ads" }
        #expect(vk?.points.map(\.cumulativeProfit) == [DecimalNumber(-800), .zero])
        #expect(vk?.carriedIn == nil && vk?.status == .burntOut)
        #expect(report.letters.isEmpty && report.chats.isEmpty && report.managers.count == 1)
        // 02-20 … 02-28 against 02-11 … 02-19: o2 (Course A/basic, created and paid 02-23, p2 800), no tags;
        // u2 has one registration, so o2's deal attribution is its first touch, vk_ads/c-200.
        #expect(report.products == [ProductRow(product: "Course A", offer: "basic",
                                               current: ReportExpectations.sales(1, 1, 1, "800"), previous: .zero)])
        #expect(report.tags.isEmpty)
        #expect(report.attribution == [
            AttributionRow(network: "vk_ads", campaignID: "c-200", spend: DecimalNumber(800), paidOrdersFirst: 1,
                           paidOrdersDeal: 1, revenueFirst: DecimalNumber(800), revenueDeal: DecimalNumber(800),
                           refundsFirst: .zero, refundsDeal: .zero),
            AttributionRow(network: "yandex_direct", campaignID: "c-100", spend: DecimalNumber(1000), paidOrdersFirst: 0,
                           paidOrdersDeal: 0, revenueFirst: .zero, revenueDeal: .zero, refundsFirst: .zero, refundsDeal: .zero),
        ])
        #expect(report.managers.first?.name == "Анна Петрова")
        // Learning: only w-feb had first steps (u2's attendance on 02-22); course and webinar figures are all
        // time. Retention is cut at February; repeat purchases have no history and stand as they are now.
        #expect(report.courses == [
            CourseRow(courseID: "webinars", students: 4, lessons: 0, completers: 0, payersAfterStart: 3,
                      revenueAfterStart: DecimalNumber(6800), periodLessons: [
                          LessonRow(lessonID: "w-feb", opened: 0, completed: 0, attended: 1),
                      ]),
        ])
        #expect(report.webinars == [WebinarRow(courseID: "webinars", lessonID: "w-feb", attendees: 1, buyers: 1,
                                               revenue: DecimalNumber(800))])
        #expect(report.retention == [ReportExpectations.retention[0]])
        #expect(report.repeatPurchases == ReportExpectations.repeatPurchases)
    }

    @Test("the digest of 2026-03-14")
    func digest() async throws {
        var digest = try await Self.withReader {
            try $0.digest(project: ReportDataSet.project, currency: "RUB", day: LocalDate("2026-03-14")!)
        }
        digest.campaigns.sort { $0.name < $1.name }
        #expect(digest == ReportExpectations.digest)
    }

    @Test("a project with no figures is told apart from one with figures")
    func projectExists() async throws {
        #expect(try await Self.withReader { try $0.projectExists(ReportDataSet.project) })
        #expect(try await Self.withReader { try !$0.projectExists("no-such-school") })
    }
}
