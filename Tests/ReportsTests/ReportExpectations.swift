import Events
import Reports

/// The report and the digest of `ReportDataSet`, written out from the hand derivation in its comment:
/// what the reader must return from the database, and what the pure renderer tests render.
enum ReportExpectations {
    static func d(_ text: String) -> DecimalNumber { DecimalNumber(text)! }
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    static let period = try! ReportPeriod(from: day("2026-03-08"), to: day("2026-03-14"))
    static let generatedAt = Instant(rfc3339: "2026-03-15T06:00:00Z")!

    static let totals = FunnelTotals(
        impressions: 4700, adClicks: 170, spend: d("9600"), visits: 6, registrations: 4, orders: 6, paidOrders: 5,
        payments: 5, revenue: d("24900"), refunds: d("3000"))
    static let previousTotals = FunnelTotals(
        impressions: 1600, adClicks: 52, spend: d("3200"), visits: 1, registrations: 1, orders: 1, paidOrders: 1,
        payments: 1, revenue: d("5000"))

    static let daily = [
        DayTotals(day: day("2026-03-09"), totals: FunnelTotals(
            impressions: 300, adClicks: 15, spend: d("600"), visits: 1, registrations: 1, orders: 1)),
        DayTotals(day: day("2026-03-10"), totals: FunnelTotals(
            impressions: 2000, adClicks: 80, spend: d("3000"), visits: 3, registrations: 1, orders: 2, paidOrders: 2,
            payments: 2, revenue: d("16900"))),
        DayTotals(day: day("2026-03-11"), totals: FunnelTotals(
            impressions: 1000, adClicks: 20, spend: d("2500"), visits: 1, orders: 1, paidOrders: 1, payments: 1,
            revenue: d("3000"))),
        DayTotals(day: day("2026-03-12"), totals: FunnelTotals(refunds: d("3000"))),
        DayTotals(day: day("2026-03-13"), totals: FunnelTotals(
            impressions: 500, adClicks: 20, spend: d("1000"), registrations: 1, orders: 1, paidOrders: 1, payments: 1,
            revenue: d("1000"))),
        DayTotals(day: day("2026-03-14"), totals: FunnelTotals(
            impressions: 900, adClicks: 35, spend: d("2500"), visits: 1, registrations: 1, orders: 1, paidOrders: 1,
            payments: 1, revenue: d("4000"))),
    ]

    static let traffic = [
        TrafficRow(network: "(none)", campaignID: "", adID: "", totals: FunnelTotals(
            visits: 1, registrations: 1, orders: 1, paidOrders: 1, payments: 1, revenue: d("2000")), npc: 0),
        TrafficRow(network: "vk_ads", campaignID: "c-200", adID: "b-1", totals: FunnelTotals(
            impressions: 1400, adClicks: 30, spend: d("3500"), visits: 1, registrations: 1), npc: d("3500")),
        TrafficRow(network: "yandex_direct", campaignID: "c-100", adID: "a-1", totals: FunnelTotals(
            impressions: 3000, adClicks: 125, spend: d("5500"), visits: 3, registrations: 1, orders: 4, paidOrders: 4,
            payments: 4, revenue: d("22900"), refunds: d("3000")), npc: 0),
        TrafficRow(network: "yandex_direct", campaignID: "c-100", adID: "a-2", totals: FunnelTotals(
            impressions: 300, adClicks: 15, spend: d("600"), visits: 1, registrations: 1, orders: 1), npc: d("600")),
    ]

    static let cohorts = [
        CohortCell(cohortMonth: day("2026-02-01"), month: day("2026-02-01"), monthsSince: 0, cohortUsers: 2, payers: 1,
                   payments: 1, revenue: d("800"), refunds: 0, cumulativeRevenue: d("800")),
        CohortCell(cohortMonth: day("2026-02-01"), month: day("2026-03-01"), monthsSince: 1, cohortUsers: 2, payers: 1,
                   payments: 2, revenue: d("8000"), refunds: d("3000"), cumulativeRevenue: d("5800")),
        CohortCell(cohortMonth: day("2026-03-01"), month: day("2026-03-01"), monthsSince: 0, cohortUsers: 5, payers: 3,
                   payments: 4, revenue: d("21900"), refunds: 0, cumulativeRevenue: d("21900")),
    ]

    static func points(_ pairs: [(String, String)]) -> [CreativeCurve.Point] {
        pairs.map { CreativeCurve.Point(day: day($0.0), cumulativeProfit: d($0.1)) }
    }

    /// Sorted by name, as the tests compare them.
    static let creatives = [
        CreativeCurve(network: "(none)", campaignID: "", adID: "", status: .new, firstDay: day("2026-03-10"),
                      cumulativeSpend: 0, cumulativeRevenue: d("2000"), cumulativeProfit: d("2000"),
                      profitLast7Days: d("2000"), profitPrevious7Days: 0, spendLast7Days: 0,
                      periodSpend: 0, carriedIn: nil, points: points([("2026-03-10", "2000")])),
        vkCreative(periodSpend: d("3500"), carriedIn: d("-1200"),
                   points: points([("2026-03-11", "-3700"), ("2026-03-13", "-3700"), ("2026-03-14", "-4700")])),
        CreativeCurve(network: "yandex_direct", campaignID: "c-100", adID: "a-1", status: .growing,
                      firstDay: day("2026-02-20"), cumulativeSpend: d("8500"), cumulativeRevenue: d("27900"),
                      cumulativeProfit: d("16400"), profitLast7Days: d("14400"), profitPrevious7Days: d("3000"),
                      spendLast7Days: d("5500"), periodSpend: d("5500"), carriedIn: d("2000"),
                      points: points([("2026-03-10", "13900"), ("2026-03-11", "16900"), ("2026-03-12", "13900"),
                                      ("2026-03-13", "13900"), ("2026-03-14", "16400")])),
        CreativeCurve(network: "yandex_direct", campaignID: "c-100", adID: "a-2", status: .new,
                      firstDay: day("2026-03-09"), cumulativeSpend: d("600"), cumulativeRevenue: 0,
                      cumulativeProfit: d("-600"), profitLast7Days: d("-600"), profitPrevious7Days: 0,
                      spendLast7Days: d("600"), periodSpend: d("600"), carriedIn: nil,
                      points: points([("2026-03-09", "-600")])),
    ]

    /// Creative B, burnt out; the digest lists it without its period's points.
    static func vkCreative(periodSpend: DecimalNumber = 0, carriedIn: DecimalNumber? = nil,
                           points: [CreativeCurve.Point] = []) -> CreativeCurve {
        CreativeCurve(network: "vk_ads", campaignID: "c-200", adID: "b-1", status: .burntOut, firstDay: day("2026-02-22"),
                      cumulativeSpend: d("5500"), cumulativeRevenue: d("800"), cumulativeProfit: d("-4700"),
                      profitLast7Days: d("-3500"), profitPrevious7Days: d("-1200"), spendLast7Days: d("3500"),
                      periodSpend: periodSpend, carriedIn: carriedIn, points: points)
    }

    static let letters = [
        LetterRow(channel: "email", letterID: "spring-sale", sent: 2, delivered: 2, uniqueOpens: 1, uniqueClicks: 1,
                  unsubscribed: 0, bounced: 0, spam: 0, payersAfterClick: 1, revenueAfterClick: d("3000")),
        LetterRow(channel: "telegram", letterID: "tg-1", sent: 1, delivered: 1, uniqueOpens: 0, uniqueClicks: 1,
                  unsubscribed: 0, bounced: 0, spam: 0, payersAfterClick: 1, revenueAfterClick: d("1000")),
    ]

    /// Sorted by manager id, no manager first.
    static let managers = [
        ManagerRow(managerID: nil, orders: 1, paidOrders: 1, revenue: d("2000")),
        ManagerRow(managerID: "m-anna", name: "Анна Петрова", orders: 2, paidOrders: 2, revenue: d("18900")),
        ManagerRow(managerID: "m-boris", orders: 3, paidOrders: 2, revenue: d("4000")),
    ]

    static let chats = [
        ChatRow(chatID: "ch-main", days: 3, messages: 3, joins: 1, leaves: 1, activeMemberDays: 3, maxActiveMembers: 2),
    ]

    static let community = [
        CommunityRow(chatActive: true, users: 2, payers: 2, revenue: d("23900")),
        CommunityRow(chatActive: false, users: 5, payers: 3, revenue: d("6800")),
    ]

    static func sales(_ orders: Int, _ paid: Int, _ payments: Int, _ revenue: String, _ refunds: String = "0") -> SalesFigures {
        SalesFigures(orders: orders, paidOrders: paid, payments: payments, revenue: d(revenue), refunds: d(refunds))
    }

    /// In the reader's byte order of (product, offer).
    static let products = [
        ProductRow(product: "", offer: "", current: sales(1, 1, 1, "1000"), previous: .zero),
        ProductRow(product: "Course A", offer: "basic", current: sales(2, 1, 1, "3000", "3000"),
                   previous: sales(1, 1, 1, "5000")),
        ProductRow(product: "Course A", offer: "vip", current: sales(2, 2, 2, "18900"), previous: .zero),
        ProductRow(product: "Course B", offer: "", current: sales(1, 1, 1, "2000"), previous: .zero),
    ]

    /// In the reader's byte order of (kind, value).
    static let tags = [
        TagRow(kind: "", value: "vip", current: sales(1, 1, 1, "4000"), previous: .zero),
        TagRow(kind: "flow", value: "1", current: .zero, previous: sales(1, 1, 1, "5000")),
        TagRow(kind: "flow", value: "2", current: sales(2, 2, 2, "17900", "3000"), previous: .zero),
        TagRow(kind: "launch", value: "2026-03", current: sales(4, 3, 3, "21900", "3000"), previous: sales(1, 1, 1, "5000")),
    ]

    static let attribution = [
        AttributionRow(network: "(none)", campaignID: "", spend: 0, paidOrdersFirst: 1, paidOrdersDeal: 0,
                       revenueFirst: d("2000"), revenueDeal: 0, refundsFirst: 0, refundsDeal: 0),
        AttributionRow(network: "vk_ads", campaignID: "c-200", spend: d("3500"), paidOrdersFirst: 0, paidOrdersDeal: 1,
                       revenueFirst: 0, revenueDeal: d("4000"), refundsFirst: 0, refundsDeal: 0),
        AttributionRow(network: "yandex_direct", campaignID: "c-100", spend: d("6100"), paidOrdersFirst: 4, paidOrdersDeal: 4,
                       revenueFirst: d("22900"), revenueDeal: d("20900"), refundsFirst: d("3000"), refundsDeal: d("3000")),
    ]

    static let names = AdNames(
        campaigns: [AdNames.Key(network: "yandex_direct", campaignID: "c-100"): "Spring <2026>"],
        ads: [AdNames.Key(network: "yandex_direct", campaignID: "c-100", adID: "a-1"): "Video & reviews"])

    static let report = Report(
        project: ReportDataSet.project, currency: "RUB", period: period, generatedAt: generatedAt,
        totals: totals, newUsers: 4, previousTotals: previousTotals, previousNewUsers: 1, daily: daily,
        traffic: traffic, cohorts: cohorts, creatives: creatives, creativesAsOf: day("2026-03-14"),
        letters: letters, managers: managers, chats: chats, community: community, products: products, tags: tags,
        attribution: attribution, names: names, courses: courses, webinars: webinars, retention: retention,
        repeatPurchases: repeatPurchases)

    static let courses = [
        CourseRow(courseID: "course-a", students: 3, lessons: 2, completers: 1, payersAfterStart: 2,
                  revenueAfterStart: d("18900"), periodLessons: [
                      LessonRow(lessonID: "intro", opened: 3, completed: 3),
                      LessonRow(lessonID: "l2", opened: 1, completed: 1, homeworkSubmitted: 1, homeworkAccepted: 1),
                  ]),
        CourseRow(courseID: "webinars", students: 4, lessons: 0, completers: 0, payersAfterStart: 3,
                  revenueAfterStart: d("6800"), periodLessons: [
                      LessonRow(lessonID: "w-mar", opened: 0, completed: 0, attended: 2),
                      LessonRow(lessonID: "w-mar2", opened: 0, completed: 0, attended: 1),
                  ]),
    ]

    static let webinars = [
        WebinarRow(courseID: "webinars", lessonID: "w-mar", attendees: 3, buyers: 1, revenue: d("2000")),
        WebinarRow(courseID: "webinars", lessonID: "w-mar2", attendees: 1, buyers: 1, revenue: d("4000")),
    ]

    static let retention = [
        RetentionCell(cohortMonth: day("2026-02-01"), month: day("2026-02-01"), cohortUsers: 2, activeUsers: 1, churned: 0),
        RetentionCell(cohortMonth: day("2026-02-01"), month: day("2026-03-01"), cohortUsers: 2, activeUsers: 1, churned: 1),
        RetentionCell(cohortMonth: day("2026-03-01"), month: day("2026-03-01"), cohortUsers: 5, activeUsers: 5, churned: 0),
    ]

    static let repeatPurchases = [
        RepeatRow(cohortMonth: day("2026-02-01"), payers: 2, repeatPayers: 1),
        RepeatRow(cohortMonth: day("2026-03-01"), payers: 3, repeatPayers: 1),
    ]

    static let digest = Digest(
        project: ReportDataSet.project, currency: "RUB", day: day("2026-03-14"),
        totals: FunnelTotals(impressions: 900, adClicks: 35, spend: d("2500"), visits: 1, registrations: 1, orders: 1,
                             paidOrders: 1, payments: 1, revenue: d("4000")),
        previousTotals: FunnelTotals(impressions: 500, adClicks: 20, spend: d("1000"), registrations: 1, orders: 1,
                                     paidOrders: 1, payments: 1, revenue: d("1000")),
        campaigns: [
            CampaignDay(network: "vk_ads", campaignID: "c-200", totals: FunnelTotals(
                impressions: 400, adClicks: 10, spend: d("1000"))),
            CampaignDay(network: "yandex_direct", campaignID: "c-100", campaignName: "Spring <2026>", totals: FunnelTotals(
                impressions: 500, adClicks: 25, spend: d("1500"), visits: 1, registrations: 1, orders: 1, paidOrders: 1,
                payments: 1, revenue: d("4000"))),
        ],
        burning: [vkCreative()], creativesAsOf: day("2026-03-14"),
        managers: [ManagerRow(managerID: "m-anna", name: "Анна Петрова", orders: 1, paidOrders: 1, revenue: d("4000"))],
        names: names, lessonCompletions: 1,
        webinars: [WebinarRow(courseID: "webinars", lessonID: "w-mar2", attendees: 1, buyers: 1, revenue: d("4000"))])

    /// The digest's message, with plain spaces standing for the no-break spaces inside figures.
    static let digestText = """
        <b>r-school · 2026-03-14</b>
        compared with 2026-03-13

        Revenue: 4 000.00 RUB (+300.0 %)
        Payments: 1 (0.0 %)
        Registrations: 1 (0.0 %)
        Spend: 2 500.00 RUB (+150.0 %)
        ROMI: 60.0 % (+60.0 pp)

        <b>Best campaigns</b> (profit = revenue − refunds − spend)
        • yandex_direct / Spring &lt;2026&gt; (c-100): +2 500.00, ROMI 166.7 %

        <b>Worst campaigns</b>
        • vk_ads / c-200: −1 000.00, ROMI −100.0 %

        <b>Sales team</b>
        • Анна Петрова (m-anna): orders 1, paid 1, revenue 4 000.00

        <b>Learning</b>
        Lessons completed: 1 (students' first completions of a lesson that day)
        Webinars with attendance that day (all their attendees; buyers: paid within 7 days after attending, so far):
        • webinars / w-mar2: attendees 1, buyers 1, revenue 4 000.00 RUB

        <b>Creatives burning out</b> (7 days to 2026-03-14)
        • vk_ads / c-200 / b-1: burnt out, profit last 7 days −3 500.00
        """
}
