import Events
import Foundation
import PipelineTestSupport
import Postgres
import Testing
import Verification

/// Issue #14, "Checked by": data sets taken through the real `pipeline` executable exactly as an
/// operator runs it (`kafka-mock`, `migrate`, `fx import`, `produce`, `worker --until-caught-up`),
/// then every `bi` output compared with the oracle's recomputation from the distinct events, and
/// small projects of figures derived by hand from SPEC §3 and §4.9–4.11 (gamma) and §4.12–4.15
/// (delta: late and double links, two courses and two webinars) so that the check does not rest on
/// the oracle alone.
@Suite("the pipeline binary on independent data sets equals the oracle", .serialized)
struct PipelineBinaryOracleTests {
    static let timeZones = ["beta": (timeZone: "America/New_York", baseCurrency: "USD")]

    /// Every view and, for each period, `traffic_summary` and `attribution_compare`.
    static let periods: [(project: String, from: LocalDate, to: LocalDate)] = [
        ("alpha", LocalDate("2026-01-01")!, LocalDate("2026-03-31")!),
        ("alpha", LocalDate("2026-02-01")!, LocalDate("2026-02-28")!),
        ("beta", LocalDate("2026-01-15")!, LocalDate("2026-03-15")!),
        ("gamma", LocalDate("2026-02-01")!, LocalDate("2026-02-28")!),
        ("gamma", LocalDate("2026-02-12")!, LocalDate("2026-02-12")!),
    ]

    static func decode(_ lines: [String]) throws -> [Event] { try lines.map { try Event.decode(json: $0) } }

    // MARK: - The hand project

    static func gamma(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"gamma-\#(id)","type":"\#(type)","project":"gamma","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    static let s1 = gamma("s1", "ad_stats", "2026-02-11T03:00:00Z",
        #"{"network":"yandex_direct","account_id":"acc1","campaign_id":"501","ad_id":"9001","day":"2026-02-10","impressions":100,"clicks":10,"cost":"1000.00","currency":"RUB","campaign_name":"Winter sale","ad_group_id":"g1","ad_group_name":"Keywords","ad_name":"Banner A"}"#)
    static let gp1 = gamma("gp1", "payment", "2026-02-12T09:05:00+03:00",
        #"{"payment_id":"gp1","order_id":"go1","user_id":"g-u1","amount":"5000.00","currency":"RUB","status":"accepted"}"#)
    static let gp2b = gamma("gp2b", "payment", "2026-02-16T10:00:00+03:00",
        #"{"payment_id":"gp2","order_id":"go1","user_id":"g-u1","amount":"20.00","currency":"USD","status":"refunded"}"#)
    static let go1b = gamma("go1b", "order", "2026-02-12T09:00:00+03:00",
        #"{"order_id":"go1","user_id":"g-u1","status":"paid","amount":"5000.00","currency":"RUB","product":"Course","offer":"VIP","manager_id":"m7","manager_name":"Olga K.","tags":["launch:2026-02","launch:2026-02","vip"],"created_at":"2026-02-10T12:00:00+03:00"}"#)

    /// Everything of project gamma but two registrations, in delivery order (a re-poll before the
    /// poll it revises, an order's paid event before its first one) and with duplicates.
    static let gammaFirst: [String] = [
        gamma("s2", "ad_stats", "2026-02-12T03:00:00Z",
              #"{"network":"yandex_direct","account_id":"acc1","campaign_id":"501","ad_id":"9001","day":"2026-02-10","impressions":120,"clicks":12,"cost":"1200.00","currency":"RUB","campaign_name":"Winter sale 2","ad_name":""}"#),
        s1,
        gamma("s3", "ad_stats", "2026-02-11T02:00:00Z",
              #"{"network":"yandex_direct","account_id":"acc2","campaign_id":"501","ad_id":"9001","day":"2026-02-11","impressions":50,"clicks":5,"cost":"10","currency":"USD","campaign_name":"Old winter"}"#),
        gamma("r1", "registration", "2026-02-01T10:00:00+03:00",
              #"{"user_id":"g-u1","funnel":"webinar","utm":{"source":"yandex","campaign":"501","content":"9001"}}"#),
        gamma("r2", "registration", "2026-02-09T10:00:00+03:00",
              #"{"user_id":"g-u1","funnel":"marathon","utm":{"source":"vk","campaign":"77","content":"700"}}"#),
        go1b,
        gamma("go1a", "order", "2026-02-10T12:00:00+03:00",
              #"{"order_id":"go1","user_id":"g-u1","status":"new","amount":"5000.00","currency":"RUB","product":"Course","offer":"Basic","manager_id":"m7","manager_name":"Ольга","tags":["launch:2026-02","flow:3"],"created_at":"2026-02-10T12:00:00+03:00"}"#),
        gp1,
        gamma("gp2a", "payment", "2026-02-13T10:00:00+03:00",
              #"{"payment_id":"gp2","order_id":"go1","user_id":"g-u1","amount":"20.00","currency":"USD","status":"accepted"}"#),
        gp2b,
        gamma("go2", "order", "2026-02-13T15:00:00+03:00",
              #"{"order_id":"go2","user_id":"g-u2","status":"new","amount":"700","currency":"RUB","manager_id":"m7","manager_name":"","created_at":"2026-02-13T15:00:00+03:00"}"#),
        gamma("gp3", "payment", "2026-02-13T16:00:00+03:00",
              #"{"payment_id":"gp3","order_id":"go-none","user_id":"g-u2","amount":"300","currency":"RUB","status":"accepted"}"#),
        gamma("go3", "order", "2026-02-14T10:00:00+03:00",
              #"{"order_id":"go3","user_id":"g-u3","status":"new","amount":"100","currency":"RUB","product":"Course","offer":"Basic","tags":["launch:2026-02"],"utm":{"source":"","campaign":"","content":""},"created_at":"2026-02-14T10:00:00+03:00"}"#),
        gamma("r3", "registration", "2026-02-15T10:00:00+03:00",
              #"{"user_id":"g-u3","funnel":"lead","utm":{"source":"vk","campaign":"77","content":"701"}}"#),
        gamma("go4", "order", "2026-02-16T10:00:00+03:00",
              #"{"order_id":"go4","user_id":"g-u3","status":"paid","amount":"1500","currency":"RUB","offer":"VIP","tags":["Launch:2026-02"],"utm":{"source":"google","campaign":"g5","content":""},"created_at":"2026-02-16T10:00:00+03:00"}"#),
        gamma("gp4", "payment", "2026-02-16T10:05:00+03:00",
              #"{"payment_id":"gp4","order_id":"go4","user_id":"g-u3","amount":"1500","currency":"RUB","status":"accepted"}"#),
        go1b, gp1,
    ]

    /// Two registrations of g-u1 that arrive after a worker applied everything they change: one just
    /// before go1 was created (its new entry) and one before all others (its new first touch).
    static let gammaLate: [String] = [
        gamma("r1b", "registration", "2026-02-10T11:00:00+03:00",
              #"{"user_id":"g-u1","funnel":"intensive","utm":{"source":"yandex","campaign":"501","content":"9001"}}"#),
        gamma("r0", "registration", "2026-01-20T10:00:00+03:00",
              #"{"user_id":"g-u1","utm":{"source":"facebook","campaign":"f1","content":"fa1"}}"#),
        s1, gp2b,
    ]

    // MARK: - The hand engagement project (issue #17)

    static func delta(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"delta-\#(id)","type":"\#(type)","project":"delta","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    static func learning(_ id: String, _ at: String, _ user: String, _ course: String, _ lesson: String?, _ kind: String) -> String {
        let lessonField = lesson.map { #","lesson_id":"\#($0)""# } ?? ""
        return delta(id, "learning", at, #"{"user_id":"\#(user)","course_id":"\#(course)"\#(lessonField),"kind":"\#(kind)"}"#)
    }

    static func deltaPayment(_ id: String, _ at: String, _ user: String, _ order: String, _ amount: String) -> String {
        delta(id, "payment", at, #"{"payment_id":"\#(id)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"accepted"}"#)
    }

    static let dl1 = learning("l1", "2026-02-05T10:00:00+03:00", "d1", "py", "p1", "lesson_opened")
    static let dc1 = delta("c1", "chat", "2026-02-10T12:00:00+03:00", #"{"chat_id":"ch","message_id":"1","user_id":"tg:71","kind":"message"}"#)

    /// Project delta (Moscow, RUB), all but the late events, in no particular order, two delivered twice:
    /// users d1, d2 (February) and d3 (March); Telegram members tg:71 and tg:72 (tg:72 linked to d2 from
    /// the start); courses py (lessons p1, p2, webinar web1) and sql (lesson s1, webinar web2).
    static let deltaFirst: [String] = [
        learning("l9", "2026-02-09T10:00:00+03:00", "d2", "py", "p1", "lesson_completed"),
        delta("r2", "registration", "2026-02-03T10:00:00+03:00", #"{"user_id":"d2","utm":{"source":"vk"}}"#),
        deltaPayment("dp1", "2026-02-11T10:00:00+03:00", "d1", "do1", "3000"),
        learning("w1", "2026-02-04T10:00:00+03:00", "d1", "py", "web1", "webinar_attended"),
        dc1,
        learning("l4", "2026-02-08T10:00:00+03:00", "d1", "py", "p2", "lesson_completed"),
        delta("m1", "mail", "2026-02-10T19:00:00+03:00", #"{"letter_id":"T1","channel":"telegram","user_id":"d1","event":"opened"}"#),
        learning("s1", "2026-03-02T10:00:00+03:00", "d3", "sql", "s1", "lesson_opened"),
        delta("k2", "identity", "2026-02-01T10:00:00+03:00", #"{"user_id":"d2","alias":"tg:72"}"#),
        learning("w2", "2026-02-04T10:00:00+03:00", "d2", "py", "web1", "webinar_attended"),
        deltaPayment("dp2", "2026-03-10T10:00:00+03:00", "d1", "do2", "500"),
        delta("c2", "chat", "2026-02-10T13:00:00+03:00", #"{"chat_id":"ch","message_id":"2","user_id":"d1","kind":"message"}"#),
        learning("l2", "2026-02-06T10:00:00+03:00", "d1", "py", "p1", "lesson_completed"),
        delta("r3", "registration", "2026-03-01T10:00:00+03:00", #"{"user_id":"d3","utm":{}}"#),
        learning("s2", "2026-03-03T10:00:00+03:00", "d3", "sql", "s1", "homework_submitted"),
        deltaPayment("dp3", "2026-02-04T10:00:00+03:00", "d2", "do3", "1000"),
        delta("m2", "mail", "2026-02-10T20:00:00+03:00", #"{"letter_id":"T1","channel":"telegram","user_id":"tg:71","event":"clicked"}"#),
        learning("w3", "2026-02-20T10:00:00+03:00", "d3", "py", "web1", "webinar_attended"),
        learning("l3", "2026-02-07T10:00:00+03:00", "d1", "py", "p2", "lesson_opened"),
        dl1,
        learning("l5", "2026-02-06T10:00:00+03:00", "d2", "py", "p1", "lesson_opened"),
        delta("c3", "chat", "2026-02-10T14:00:00+03:00", #"{"chat_id":"ch","message_id":"3","user_id":"tg:72","kind":"message"}"#),
        learning("l10", "2026-02-10T10:00:00+03:00", "d2", "py", "p1", "lesson_completed"),
        learning("s3", "2026-03-04T10:00:00+03:00", "d1", "sql", nil, "homework_accepted"),
        deltaPayment("dp4", "2026-03-06T10:00:00+03:00", "d3", "do4", "700"),
        delta("r1", "registration", "2026-02-02T10:00:00+03:00", #"{"user_id":"d1","utm":{"source":"yandex"}}"#),
        learning("w4", "2026-03-05T10:00:00+03:00", "d3", "sql", "web2", "webinar_attended"),
        dc1, dl1,
    ]

    /// Read after the rest was applied: tg:71 is d1 (and a later link to d3 is ignored), and d1 completed
    /// a third lesson of py that nobody had mentioned.
    static let deltaLate: [String] = [
        delta("k3", "identity", "2026-02-16T10:00:00+03:00", #"{"user_id":"d3","alias":"tg:71"}"#),
        learning("l6", "2026-02-12T10:00:00+03:00", "d1", "py", "p3", "lesson_completed"),
        delta("k1", "identity", "2026-02-15T10:00:00+03:00", #"{"user_id":"d1","alias":"tg:71"}"#),
        dc1,
    ]

    /// Project delta's figures after the late events, derived from SPEC §4.5–4.6 and §4.12–4.15 alone.
    static func deltaFigures(_ run: PipelineRun) throws {
        func rows(_ sql: String) throws -> Set<Oracle.Row> { Set(try read(run, sql)) }

        // Firsts per lesson, kind and user, on their Moscow day. d1 opened p1 twice (one delivery
        // counted); d2 completed p1 on 02-09 and again 02-10 (not a first). Course-level s3 is lesson ''.
        func day(_ course: String, _ lesson: String, _ day: String, _ counts: [Int]) -> Oracle.Row {
            ["course_id": course, "lesson_id": lesson, "day": day, "opened": String(counts[0]), "completed": String(counts[1]),
             "homework_submitted": String(counts[2]), "homework_accepted": String(counts[3]), "attended": String(counts[4])]
        }
        #expect(try rows("""
            SELECT course_id, lesson_id, day, opened, completed, homework_submitted, homework_accepted, attended
            FROM bi.learning_daily WHERE project = 'delta'
            """) == [
            day("py", "web1", "2026-02-04", [0, 0, 0, 0, 2]),  // d1, d2
            day("py", "p1", "2026-02-05", [1, 0, 0, 0, 0]),    // d1
            day("py", "p1", "2026-02-06", [1, 1, 0, 0, 0]),    // d2 opened, d1 completed
            day("py", "p2", "2026-02-07", [1, 0, 0, 0, 0]),
            day("py", "p2", "2026-02-08", [0, 1, 0, 0, 0]),
            day("py", "p1", "2026-02-09", [0, 1, 0, 0, 0]),    // d2
            day("py", "p3", "2026-02-12", [0, 1, 0, 0, 0]),    // d1, late
            day("py", "web1", "2026-02-20", [0, 0, 0, 0, 1]),  // d3
            day("sql", "s1", "2026-03-02", [1, 0, 0, 0, 0]),
            day("sql", "s1", "2026-03-03", [0, 0, 1, 0, 0]),
            day("sql", "", "2026-03-04", [0, 0, 0, 1, 0]),
            day("sql", "web2", "2026-03-05", [0, 0, 0, 0, 1]),
        ])

        // py: students d1, d2, d3; lessons p1, p2, p3 (web1 is only attended); d1 completed all three,
        // d2 only p1: 1 of 3. Starts: d1 and d2 02-04 10:00 (web1), d3 02-20. d1's dp1 (02-11) and dp2
        // (03-10) are after; d2's dp3 is at the very instant of the start, not after; d3's dp4 (03-06)
        // is after: 2 payers, 3000 + 500 + 700 = 4200.
        // sql: students d3 (from 03-02), d1 (from 03-04, course-level homework); lesson s1, completed by
        // nobody; dp4 (03-06) after d3's start, dp2 (03-10) after d1's: 2 payers, 1200.
        #expect(try rows("""
            SELECT course_id, students, lessons, completers, completion_rate, payers_after_start, revenue_after_start
            FROM bi.course_progress WHERE project = 'delta'
            """) == [
            ["course_id": "py", "students": "3", "lessons": "3", "completers": "1", "completion_rate": "0.333333",
             "payers_after_start": "2", "revenue_after_start": "4200"],
            ["course_id": "sql", "students": "2", "lessons": "1", "completers": "0", "completion_rate": "0",
             "payers_after_start": "2", "revenue_after_start": "1200"],
        ])

        // web1: d1's dp1 is exactly 7 × 24 h after 02-04 10:00: in; d2's dp3 at the attendance instant:
        // out; d3's dp4 is 14 days after: out. web2: d3's dp4 one day after: in.
        #expect(try rows("SELECT course_id, lesson_id, attendees, buyers_7d, revenue_7d FROM bi.webinar_conversion WHERE project = 'delta'") == [
            ["course_id": "py", "lesson_id": "web1", "attendees": "3", "buyers_7d": "1", "revenue_7d": "3000"],
            ["course_id": "sql", "lesson_id": "web2", "attendees": "1", "buyers_7d": "1", "revenue_7d": "700"],
        ])

        // Latest month March (learning and identity move none). February cohort d1, d2: both active in
        // February (d1 everything, d2 learning and tg:72's message); in March d1 (dp2, sql homework)
        // but not d2: churned 1. March cohort d3: active (learning, dp4).
        #expect(try rows("""
            SELECT cohort_month, month, cohort_users, active_users, retention, churned
            FROM bi.retention_monthly WHERE project = 'delta'
            """) == [
            ["cohort_month": "2026-02-01", "month": "2026-02-01", "cohort_users": "2", "active_users": "2", "retention": "1", "churned": "0"],
            ["cohort_month": "2026-02-01", "month": "2026-03-01", "cohort_users": "2", "active_users": "1", "retention": "0.5", "churned": "1"],
            ["cohort_month": "2026-03-01", "month": "2026-03-01", "cohort_users": "1", "active_users": "1", "retention": "1", "churned": "0"],
        ])

        // d1 paid for do1 and do2: repeat; d2 for do3; d3 for do4. No NULL cohort: tg:71 and tg:72 are
        // d1 and d2 (a row of zeros would be allowed, so only non-zero rows are compared).
        #expect(nonZero(try read(run, "SELECT cohort_month, payers, repeat_payers, repeat_rate FROM bi.repeat_purchases WHERE project = 'delta'"),
                        measures: ["payers", "repeat_payers"]) == [
            ["cohort_month": "2026-02-01", "payers": "2", "repeat_payers": "1", "repeat_rate": "0.5"],
            ["cohort_month": "2026-03-01", "payers": "1", "repeat_payers": "0", "repeat_rate": "0"],
        ])

        // §4.12 in the old views: ch on 02-10 had messages of tg:71 (d1), d1 and tg:72 (d2): 2 members.
        // T1: d1 opened at 19:00, tg:71 (d1) clicked at 20:00, 14 h before dp1: 1 payer, 3000; dp2 is
        // 28 days after the click.
        #expect(try rows("SELECT day, messages, active_members FROM bi.chat_daily WHERE project = 'delta'") == [
            ["day": "2026-02-10", "messages": "3", "active_members": "2"],
        ])
        #expect(try rows("""
            SELECT letter_id, opened, clicked, unique_opens, unique_clicks, payers_after_click, revenue_after_click
            FROM bi.mail_letters WHERE project = 'delta'
            """) == [
            ["letter_id": "T1", "opened": "1", "clicked": "1", "unique_opens": "1", "unique_clicks": "1",
             "payers_after_click": "1", "revenue_after_click": "3000"],
        ])
        // Everyone of February wrote (d1 itself, d2 as tg:72): 2 users, dp1 + dp2 + dp3 = 4500; d3 did not.
        #expect(nonZero(try read(run, "SELECT cohort_month, chat_active, users, payers, revenue FROM bi.community_conversion WHERE project = 'delta'"),
                        measures: ["users"]) == [
            ["cohort_month": "2026-02-01", "chat_active": "true", "users": "2", "payers": "2", "revenue": "4500"],
            ["cohort_month": "2026-03-01", "chat_active": "false", "users": "1", "payers": "1", "revenue": "700"],
        ])
    }

    /// The rows whose given measures are not all zero or NULL: SPEC §4.8 lets a view keep or drop the others.
    static func nonZero(_ rows: [Oracle.Row], measures: [String]) -> Set<Oracle.Row> {
        Set(rows.filter { row in measures.contains { column in ((row[column] ?? nil) ?? "0") != "0" } })
    }

    static let orderMeasures = ["orders", "paid_orders", "payments", "revenue", "refunds"]

    /// The §4.9 measures of one row; `avg` is revenue / payments, written out by hand.
    static func money(orders: Int = 0, paid: Int = 0, payments: Int = 0, revenue: String = "0", refunds: String = "0",
                      avg: String? = nil) -> Oracle.Row {
        ["orders": String(orders), "paid_orders": String(paid), "payments": String(payments), "revenue": revenue,
         "refunds": refunds, "avg_check": avg]
    }

    static func read(_ run: PipelineRun, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> [Oracle.Row] {
        let connection = try run.connection()
        defer { connection.close() }
        return try BIComparison.read(connection, sql, parameters)
    }

    static func differences(_ run: PipelineRun, _ oracle: Oracle) throws -> [String] {
        let connection = try run.connection()
        defer { connection.close() }
        return try BIComparison.differences(connection, oracle, summaries: periods)
    }

    /// Where go1's paid order and first payment (02-12) sit, under the deal model and the first touch.
    static func go1PaidDay(_ run: PipelineRun) throws -> (deal: Set<Oracle.Row>, first: Set<Oracle.Row>) {
        let deal = try read(run, """
            SELECT funnel, network, campaign_id, ad_id, paid_orders, revenue FROM bi.deal_funnel_daily
            WHERE project = 'gamma' AND day = '2026-02-12'
            """)
        let first = try read(run, """
            SELECT network, campaign_id, ad_id, paid_orders, revenue FROM bi.funnel_daily
            WHERE project = 'gamma' AND day = '2026-02-12'
            """)
        return (nonZero(deal, measures: ["paid_orders", "revenue"]), nonZero(first, measures: ["paid_orders", "revenue"]))
    }

    // MARK: - What the random part must contain

    /// The readings issue #14 asks the data set to exercise, each with whether the random part does.
    static func premises(_ data: RandomEvents.DataSet, firstPhase: [String]) throws -> [String: Bool] {
        let events = data.distinctInDeliveryOrder
        var campaignNames: [String: Set<String>] = [:], managerNames: [String: Set<String>] = [:]
        var tagLists: [String: Set<[String]>] = [:]
        var dealUTM = false
        for event in events {
            switch event.data {
            case .adStats(let a):
                if let name = a.campaignName, !name.isEmpty {
                    campaignNames["\(event.project) \(a.network) \(a.campaignID) \(a.adID)", default: []].insert(name)
                }
            case .order(let o):
                if let manager = o.managerID, let name = o.managerName, !name.isEmpty {
                    managerNames["\(event.project) \(manager)", default: []].insert(name)
                }
                tagLists["\(event.project) \(o.orderID)", default: []].insert(o.tags ?? [])
                if let utm = o.utm, [utm.source, utm.campaign, utm.content].contains(where: { !($0 ?? "").isEmpty }) { dealUTM = true }
            default:
                break
            }
        }
        // A late registration: a user's first registration produced only after a worker applied
        // one of the user's orders or payments.
        let early = Set(try decode(firstPhase).map(\.id))
        var firstRegistration: [String: Event] = [:]
        var moneyEarly = Set<String>()
        for event in events {
            switch event.data {
            case .registration(let r):
                let user = "\(event.project) \(r.userID)"
                if let current = firstRegistration[user], !Oracle.before(event, current) { continue }
                firstRegistration[user] = event
            case .order(let o) where early.contains(event.id): moneyEarly.insert("\(event.project) \(o.userID)")
            case .payment(let p) where early.contains(event.id): moneyEarly.insert("\(event.project) \(p.userID)")
            default: break
            }
        }
        let late = firstRegistration.contains { user, first in moneyEarly.contains(user) && !early.contains(first.id) }
        return [
            "several projects": Set(events.map(\.project)).count >= 2,
            "duplicate deliveries": data.deliveries.count > events.count,
            "a campaign renamed": campaignNames.values.contains { $0.count >= 2 },
            "a manager renamed": managerNames.values.contains { $0.count >= 2 },
            "an order's tags changing": tagLists.values.contains { $0.count >= 2 },
            "an order's own UTM": dealUTM,
            "a late first registration": late,
        ]
    }

    // MARK: - Tests

    // Synchronous, as ViewsEndToEndTests: an expectation recorded on a thread of our own is not
    // attributed to its test. The suite is serialized so that it blocks one pool thread at a time.

    @Test("data with every new field and event type, in two produce-and-catch-up rounds: all outputs equal the oracle, hand figures hold")
    func newFields() throws {
        var generator = RandomEvents(seed: 1_414)
        let data = generator.dataSet(count: 700)
        let split = data.deliveries.count * 6 / 10
        let firstPhase = Array(data.deliveries.prefix(split)) + Self.gammaFirst + Self.deltaFirst
        let secondPhase = Array(data.deliveries.dropFirst(split)) + Self.gammaLate + Self.deltaLate
        for (premise, holds) in try Self.premises(data, firstPhase: firstPhase) {
            #expect(holds, "the random data set lacks \(premise)")
        }
        // Issue #17: late links, double links, several courses and webinars, in the random part too.
        for (premise, holds) in try EngagementScenario.premises(data, late: Array(data.deliveries.dropFirst(split))) {
            #expect(holds, "the random data set lacks \(premise)")
        }

        let run = try PipelineRun(prefix: "binary_oracle_v2", projects: Self.timeZones)
        try run.pipeline(["migrate"])
        try run.importRates(data.rates)
        try run.produce(firstPhase, name: "first.jsonl")
        try run.worker(batchSize: 37)

        let firstOracle = Oracle(events: try Self.decode(firstPhase), rates: data.rates,
                                 timeZones: data.timeZones, baseCurrencies: data.baseCurrencies)
        let firstDifferences = try Self.differences(run, firstOracle)
        #expect(firstDifferences.isEmpty, "after the first round:\n\(firstDifferences.prefix(40).joined(separator: "\n"))")
        // Before r1b and r0 (by hand, SPEC §3): go1 was created 02-10 12:00; of g-u1's registrations
        // r1 (02-01) and r2 (02-09), the entry is the latest at or before it, r2: vk_ads/77/700,
        // funnel marathon. The first touch is r1's yandex_direct/501/9001.
        let before = try Self.go1PaidDay(run)
        #expect(before.deal == [["funnel": "marathon", "network": "vk_ads", "campaign_id": "77", "ad_id": "700",
                                 "paid_orders": "1", "revenue": "5000"]])
        #expect(before.first == [["network": "yandex_direct", "campaign_id": "501", "ad_id": "9001",
                                  "paid_orders": "1", "revenue": "5000"]])

        try run.produce(secondPhase, name: "second.jsonl")
        try run.worker(batchSize: 50)

        let oracle = Oracle(events: try Self.decode(firstPhase + secondPhase), rates: data.rates,
                            timeZones: data.timeZones, baseCurrencies: data.baseCurrencies)
        let differences = try Self.differences(run, oracle)
        #expect(differences.isEmpty, "after the late data:\n\(differences.prefix(40).joined(separator: "\n"))")
        let connection = try run.connection()
        defer { connection.close() }
        let applied = try connection.execute("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches").rows[0][0]
        #expect(applied == String(oracle.applied.count), "applied ids in the database, \(oracle.applied.count) by the oracle")

        try Self.handFigures(run)
        try Self.deltaFigures(run)
    }

    /// Project gamma's figures, derived from SPEC's text alone (the reasoning is in the comments).
    static func handFigures(_ run: PipelineRun) throws {
        // r1b (02-10 11:00, late) is now the latest registration at or before go1's created_at: go1
        // moves to yandex_direct/501/9001 and funnel intensive. r0 (01-20, late) is g-u1's first
        // registration: the first touch moves to meta/f1/fa1 (facebook maps to meta).
        let after = try go1PaidDay(run)
        #expect(after.deal == [["funnel": "intensive", "network": "yandex_direct", "campaign_id": "501", "ad_id": "9001",
                                "paid_orders": "1", "revenue": "5000"]])
        #expect(after.first == [["network": "meta", "campaign_id": "f1", "ad_id": "fa1", "paid_orders": "1", "revenue": "5000"]])

        // §4.9: everything follows the order's current state. go1's latest event (go1b, delivered
        // first) says Course/VIP and tags {launch:2026-02, vip} (the duplicate counts once; flow:3 of
        // go1a is gone), so its creation on 02-10 counts there too. gp2: 20 USD accepted 02-13 at
        // 91.2345 = 1824.69; refunded 02-16 at that day's rate 89.99 = 1799.80. go2 has no product or
        // offer: ''. gp3's order has no event: product and offer NULL, and no tag row. go4 has an
        // offer but no product. go3 is Course/Basic.
        let products = try read(run, """
            SELECT day, product, offer, orders, paid_orders, payments, revenue, refunds, avg_check
            FROM bi.products_daily WHERE project = 'gamma'
            """)
        func product(_ day: String, _ product: String?, _ offer: String?, _ measures: Oracle.Row) -> Oracle.Row {
            measures.merging(["day": day, "product": product, "offer": offer]) { $1 }
        }
        #expect(nonZero(products, measures: orderMeasures) == [
            product("2026-02-10", "Course", "VIP", money(orders: 1)),
            product("2026-02-12", "Course", "VIP", money(paid: 1, payments: 1, revenue: "5000", avg: "5000")),
            product("2026-02-13", "Course", "VIP", money(payments: 1, revenue: "1824.69", avg: "1824.69")),
            product("2026-02-13", "", "", money(orders: 1)),
            product("2026-02-13", nil, nil, money(payments: 1, revenue: "300", avg: "300")),
            product("2026-02-14", "Course", "Basic", money(orders: 1)),
            product("2026-02-16", "Course", "VIP", money(refunds: "1799.8")),
            product("2026-02-16", "", "VIP", money(orders: 1, paid: 1, payments: 1, revenue: "1500", avg: "1500")),
        ])

        // Tags split at the first ':'; 'vip' has kind ''; 'Launch' is another kind than 'launch'.
        let tags = try read(run, """
            SELECT day, tag_kind, tag_value, orders, paid_orders, payments, revenue, refunds, avg_check
            FROM bi.order_tags_daily WHERE project = 'gamma'
            """)
        func tag(_ day: String, _ kind: String, _ value: String, _ measures: Oracle.Row) -> Oracle.Row {
            measures.merging(["day": day, "tag_kind": kind, "tag_value": value]) { $1 }
        }
        #expect(nonZero(tags, measures: orderMeasures) == [
            tag("2026-02-10", "launch", "2026-02", money(orders: 1)),
            tag("2026-02-10", "", "vip", money(orders: 1)),
            tag("2026-02-12", "launch", "2026-02", money(paid: 1, payments: 1, revenue: "5000", avg: "5000")),
            tag("2026-02-12", "", "vip", money(paid: 1, payments: 1, revenue: "5000", avg: "5000")),
            tag("2026-02-13", "launch", "2026-02", money(payments: 1, revenue: "1824.69", avg: "1824.69")),
            tag("2026-02-13", "", "vip", money(payments: 1, revenue: "1824.69", avg: "1824.69")),
            tag("2026-02-14", "launch", "2026-02", money(orders: 1)),
            tag("2026-02-16", "launch", "2026-02", money(refunds: "1799.8")),
            tag("2026-02-16", "", "vip", money(refunds: "1799.8")),
            tag("2026-02-16", "Launch", "2026-02", money(orders: 1, paid: 1, payments: 1, revenue: "1500", avg: "1500")),
        ])

        // §4.10: registrations by their own UTM and funnel; orders and money by the deal attribution.
        // go2's user has no registration and gp3's order no event: (unattributed), funnel ''. go3 was
        // created before g-u3's only registration r3, so its entry is that first registration (its
        // own UTM is all empty and does not count). go4's own UTM names google/g5 and wins; its funnel
        // is still its entry's (r3, lead).
        let deal = try read(run, """
            SELECT day, funnel, network, campaign_id, ad_id, registrations, orders, paid_orders, payments, revenue, refunds
            FROM bi.deal_funnel_daily WHERE project = 'gamma'
            """)
        func dealRow(_ day: String, _ funnel: String, _ ad: [String], registrations: Int = 0, orders: Int = 0, paid: Int = 0,
                     payments: Int = 0, revenue: String = "0", refunds: String = "0") -> Oracle.Row {
            ["day": day, "funnel": funnel, "network": ad[0], "campaign_id": ad[1], "ad_id": ad[2],
             "registrations": String(registrations), "orders": String(orders), "paid_orders": String(paid),
             "payments": String(payments), "revenue": revenue, "refunds": refunds]
        }
        let yandex = ["yandex_direct", "501", "9001"], vk700 = ["vk_ads", "77", "700"], vk701 = ["vk_ads", "77", "701"]
        let meta = ["meta", "f1", "fa1"], google = ["google_ads", "g5", ""], none = ["(unattributed)", "", ""]
        #expect(nonZero(deal, measures: ["registrations"] + orderMeasures) == [
            dealRow("2026-01-20", "", meta, registrations: 1),
            dealRow("2026-02-01", "webinar", yandex, registrations: 1),
            dealRow("2026-02-09", "marathon", vk700, registrations: 1),
            dealRow("2026-02-10", "intensive", yandex, registrations: 1, orders: 1),
            dealRow("2026-02-12", "intensive", yandex, paid: 1, payments: 1, revenue: "5000"),
            dealRow("2026-02-13", "intensive", yandex, payments: 1, revenue: "1824.69"),
            dealRow("2026-02-13", "", none, orders: 1, payments: 1, revenue: "300"),
            dealRow("2026-02-14", "lead", vk701, orders: 1),
            dealRow("2026-02-15", "lead", vk701, registrations: 1),
            dealRow("2026-02-16", "intensive", yandex, refunds: "1799.8"),
            dealRow("2026-02-16", "lead", google, orders: 1, paid: 1, payments: 1, revenue: "1500"),
        ])

        // February: the ad's spend is the latest poll of each (account, day): s2's 1200.00 for 02-10
        // (s1 is older though delivered later) and s3's 10 USD × 91.2345 = 912.345 → 912.35 for 02-11,
        // 2112.35 in all. First touch: g-u1's money under meta (r0), g-u3's under vk_ads/77/701 (r3),
        // gp3 unattributed. romi_deal = (6824.69 − 1799.80 − 2112.35) / 2112.35 × 100 = 137.881506…
        let compare = try read(run, "SELECT * FROM bi.attribution_compare('gamma', '2026-02-01', '2026-02-28')")
        func compareRow(_ ad: [String], spend: String = "0", paid: (Int, Int) = (0, 0), revenue: (String, String) = ("0", "0"),
                        refunds: (String, String) = ("0", "0"), romi: (String?, String?) = (nil, nil)) -> Oracle.Row {
            ["network": ad[0], "campaign_id": ad[1], "ad_id": ad[2], "spend": spend,
             "paid_orders_first": String(paid.0), "paid_orders_deal": String(paid.1),
             "revenue_first": revenue.0, "revenue_deal": revenue.1, "refunds_first": refunds.0, "refunds_deal": refunds.1,
             "romi_first": romi.0, "romi_deal": romi.1]
        }
        #expect(nonZero(compare, measures: ["spend", "paid_orders_first", "paid_orders_deal", "revenue_first", "revenue_deal",
                                           "refunds_first", "refunds_deal"]) == [
            compareRow(yandex, spend: "2112.35", paid: (0, 1), revenue: ("0", "6824.69"), refunds: ("0", "1799.8"),
                       romi: ("-100", "137.881506")),
            compareRow(meta, paid: (1, 0), revenue: ("6824.69", "0"), refunds: ("1799.8", "0")),
            compareRow(vk701, paid: (1, 0), revenue: ("1500", "0")),
            compareRow(google, paid: (0, 1), revenue: ("0", "1500")),
            compareRow(none, revenue: ("300", "300")),
        ])

        // §4.11: each name from the latest poll that has it non-empty: s2 (02-12) renamed the campaign
        // and sent ad_name empty, which does not hide s1's; s3 is older than both. m7 was renamed by
        // go1b; go2's later empty name does not hide it.
        #expect(try read(run, "SELECT network, campaign_id, ad_id, campaign_name, ad_group_id, ad_group_name, ad_name FROM bi.ads WHERE project = 'gamma'") == [
            ["network": "yandex_direct", "campaign_id": "501", "ad_id": "9001", "campaign_name": "Winter sale 2",
             "ad_group_id": "g1", "ad_group_name": "Keywords", "ad_name": "Banner A"],
        ])
        #expect(try read(run, "SELECT manager_id, name FROM bi.managers WHERE project = 'gamma'") == [
            ["manager_id": "m7", "name": "Olga K."],
        ])
    }

    @Test("v1-shaped data without the new fields: the twelve older outputs (and the new ones) equal the oracle")
    func withoutNewFields() throws {
        var generator = RandomEvents(seed: 2_718)
        let data = generator.dataSet(count: 600, newFields: false)
        for event in data.distinctInDeliveryOrder {
            switch event.data {
            case .order(let o):
                #expect(o.offer == nil && o.managerName == nil && o.tags == nil && o.utm == nil, "\(event.id) is not v1-shaped")
            case .adStats(let a):
                #expect(a.campaignName == nil && a.adGroupID == nil && a.adGroupName == nil && a.adName == nil,
                        "\(event.id) is not v1-shaped")
            default:
                break
            }
        }
        let run = try PipelineRun(prefix: "binary_oracle_v1", projects: Self.timeZones)
        try run.pipeline(["migrate"])
        try run.importRates(data.rates)
        try run.produce(data.deliveries, name: "v1.jsonl")
        try run.worker(batchSize: 41)

        let differences = try Self.differences(run, data.oracle)
        #expect(differences.isEmpty, "\(differences.prefix(40).joined(separator: "\n"))")
        // SPEC §4.11 by hand: no event carries a name, so every name is NULL (and there are ads and managers).
        let ads = try Self.read(run, "SELECT campaign_name, ad_group_id, ad_group_name, ad_name FROM bi.ads")
        #expect(!ads.isEmpty && ads.allSatisfy { $0.values.allSatisfy { $0 == nil } })
        let managers = try Self.read(run, "SELECT name FROM bi.managers")
        #expect(!managers.isEmpty && managers.allSatisfy { $0["name"]! == nil })
    }
}
