import Events
import Foundation
import Kafka
import Logging
import Postgres
import Testing
import Worker

/// The business dashboard's new panels on a small school applied by the real worker: filters, names and
/// figures as derived by hand below, with the variables expanded as Grafana expands them (`BIQueries`).
///
/// Project `ops-school`, Europe/Moscow, October 2026 (the dashboard range of `BIQueries`), all RUB:
///   u1 registers 10-05 through yandex/c-1/a-1 in funnel `webinar`; the ad spent 1000 that day, named
///     campaign "Autumn 'launch'" and ad "Reel".
///   o1 (u1, m-1 "Олег") Course A / it's VIP, tag launch:2026-10, paid 10-06; p1 5000 accepted 10-06.
///   o2 (u1) Course B / basic, tag flow:1, created 10-07, never paid.
///   u2 registers 10-08 without UTM; o3 (u2) Course A / no offer, its own UTM vk/c-2/b-2, paid 10-08, p3 2000.
/// The previous period of 10-01 … 10-31 (09-01 … 09-30) is empty.
/// Learning (SPEC §4.13–4.14), course `c-a`: u1 opens and completes l1 on 10-05 (12:00, 13:00) and l2 on
///   10-07; u2 attends webinar `web-1` on 10-07 at 19:00, 17 h before p3.
///   → students 2, lessons 2 (l1, l2), completers 1 (u1), completion 50.0 %; payers after start u1 (p1 on
///   10-06 after 10-05 12:00) and u2 (p3 after 10-07 19:00): 2, 7000. web-1: 1 attendee, 1 buyer, 2000.
///   Retention: October's cohort (u1, u2) is all active in October, its only month (the latest); repeat
///   purchases: 2 payers, none with two paid orders (o2 is never paid).
@Suite("business dashboard panels and Metabase questions on applied data")
struct BusinessDashboardDataTests {
    static let project = "ops-school"

    static func envelope(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"\#(id)","type":"\#(type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    static let events = [
        envelope("r1", "registration", "2026-10-05T10:00:00+03:00",
                 #"{"user_id":"u1","funnel":"webinar","utm":{"source":"yandex","campaign":"c-1","content":"a-1"}}"#),
        envelope("s1", "ad_stats", "2026-10-05T23:00:00+03:00", #"""
            {"network":"yandex_direct","account_id":"acc","campaign_id":"c-1","ad_id":"a-1","day":"2026-10-05","impressions":100,"clicks":10,"cost":"1000","currency":"RUB","campaign_name":"Autumn 'launch'","ad_name":"Reel"}
            """#),
        envelope("o1-paid", "order", "2026-10-06T12:00:00+03:00", #"""
            {"order_id":"o1","user_id":"u1","status":"paid","amount":"5000","currency":"RUB","created_at":"2026-10-06T11:00:00+03:00","product":"Course A","offer":"it's VIP","tags":["launch:2026-10"],"manager_id":"m-1","manager_name":"Олег"}
            """#),
        envelope("p1", "payment", "2026-10-06T12:00:00+03:00",
                 #"{"payment_id":"p1","order_id":"o1","user_id":"u1","amount":"5000","currency":"RUB","status":"accepted"}"#),
        envelope("o2-new", "order", "2026-10-07T11:00:00+03:00", #"""
            {"order_id":"o2","user_id":"u1","status":"new","amount":"3000","currency":"RUB","created_at":"2026-10-07T11:00:00+03:00","product":"Course B","offer":"basic","tags":["flow:1"]}
            """#),
        envelope("r2", "registration", "2026-10-08T10:00:00+03:00", #"{"user_id":"u2","utm":{}}"#),
        envelope("o3-paid", "order", "2026-10-08T12:00:00+03:00", #"""
            {"order_id":"o3","user_id":"u2","status":"paid","amount":"2000","currency":"RUB","created_at":"2026-10-08T11:00:00+03:00","product":"Course A","utm":{"source":"vk","campaign":"c-2","content":"b-2"}}
            """#),
        envelope("p3", "payment", "2026-10-08T12:00:00+03:00",
                 #"{"payment_id":"p3","order_id":"o3","user_id":"u2","amount":"2000","currency":"RUB","status":"accepted"}"#),
        envelope("l1", "learning", "2026-10-05T12:00:00+03:00",
                 #"{"user_id":"u1","course_id":"c-a","lesson_id":"l1","kind":"lesson_opened"}"#),
        envelope("l2", "learning", "2026-10-05T13:00:00+03:00",
                 #"{"user_id":"u1","course_id":"c-a","lesson_id":"l1","kind":"lesson_completed"}"#),
        envelope("l3", "learning", "2026-10-07T12:00:00+03:00",
                 #"{"user_id":"u1","course_id":"c-a","lesson_id":"l2","kind":"lesson_opened"}"#),
        envelope("l4", "learning", "2026-10-07T13:00:00+03:00",
                 #"{"user_id":"u1","course_id":"c-a","lesson_id":"l2","kind":"lesson_completed"}"#),
        envelope("l5", "learning", "2026-10-07T19:00:00+03:00",
                 #"{"user_id":"u2","course_id":"c-a","lesson_id":"web-1","kind":"webinar_attended"}"#),
    ]

    /// A migrated database with `events` produced to a mock cluster and applied by a worker; a connection as the BI role.
    static func load() throws -> PostgresConnection {
        let logger = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let (adminURL, reader) = try BIQueries.migratedDatabase(prefix: "ops_bi_data")
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topics = EventTopics(
            clicks: "o\(suffix).clicks", registrations: "o\(suffix).registrations", orders: "o\(suffix).orders",
            mails: "o\(suffix).mails", chat: "o\(suffix).chat", adStats: "o\(suffix).adstats",
            deadLetter: "o\(suffix).deadletter")
        for topic in topics.all { try cluster.createTopic(topic, partitions: 1) }
        let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let messages = try events.map { value -> KafkaOutgoingMessage in
            let event = try Event.decode(json: Array(value.utf8))
            return KafkaOutgoingMessage(topic: topics.topic(for: event.type), key: Array(event.partitionKey.utf8),
                                        value: Array(value.utf8))
        }
        _ = try producer.sendAndWait(messages, timeout: .seconds(30))
        var configuration = WorkerConfiguration(kafka: kafka, databaseURL: adminURL)
        configuration.groupID = "ops-\(suffix)"
        configuration.topics = topics
        configuration.untilCaughtUp = true
        let summary = try PipelineWorker(configuration: configuration, logger: logger).run()
        guard summary.applied == events.count, summary.deadLetters == 0 else {
            throw OpsTestError("applied \(summary.applied) of \(events.count) events, \(summary.deadLetters) dead letters")
        }
        return reader
    }

    /// A number without its trailing fraction zeros (`5000.00` → `5000`), so expectations do not depend on
    /// the scale a sum happens to carry; any other text as it is.
    static func plain(_ cell: String) -> String {
        guard cell.contains("."), cell.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { return cell }
        var text = cell
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The panel's rows with the variables chosen, every cell as text ("" for NULL, numbers `plain`).
    static func rows(_ title: String, _ variables: [String: String], _ reader: PostgresConnection,
                     dashboard: String = "business.json") throws -> [[String]] {
        guard let query = try OpsFiles.dashboardQueries().first(where: { $0.file.hasSuffix(dashboard) && $0.title == title })
        else { throw OpsTestError("no panel \(title)") }
        let sql = try GrafanaSQL.expand(query.text, from: BIQueries.from, to: BIQueries.to,
                                        variables: variables.merging(["project": project]) { $1 })
        let result = try reader.execute(sql)
        return result.rows.map { row in (0..<result.columns.count).map { plain(row[$0] ?? "") } }
    }

    @Test("products, launches, attribution, funnels and managers: filtered, named, figures by hand")
    func panels() throws {
        let reader = try Self.load()
        defer { reader.close() }
        let all = BIQueries.allChosen, some = BIQueries.someChosen
        // product, offer, orders, paid, payments, revenue, refunds, avg_check, revenue_prev, change: nothing before October.
        #expect(try Self.rows("Products and offers", all, reader) == [
            ["Course A", "it's VIP", "1", "1", "1", "5000", "0", "5000", "", ""],
            ["Course A", "", "1", "1", "1", "2000", "0", "2000", "", ""],
            ["Course B", "basic", "1", "0", "0", "0", "0", "", "", ""],
        ])
        // Product 'Course A' or none, offer "it's VIP" (its quote doubled by Grafana): o1 only.
        #expect(try Self.rows("Products and offers", some, reader) == [
            ["Course A", "it's VIP", "1", "1", "1", "5000", "0", "5000", "", ""],
        ])
        // Kinds launch, flow or none; value 2026-10: flow:1 is filtered out by its value.
        #expect(try Self.rows("Launches and tags", some, reader) == [
            ["launch", "2026-10", "1", "1", "1", "5000", "0", "5000", ""],
        ])
        #expect(try Self.rows("Launches and tags", all, reader).map { Array($0.prefix(3)) } == [
            ["launch", "2026-10", "1"], ["flow", "1", "1"],
        ])
        // First touch: o3 is u2's, (none); deal: o3's own UTM, vk_ads/c-2. ROMI only where there is spend.
        #expect(try Self.rows("Attribution: first touch and deal", all, reader) == [
            ["yandex_direct", "Autumn 'launch' (c-1)", "1000", "1", "1", "5000", "5000", "0", "0", "400", "400"],
            ["(none)", "", "0", "1", "0", "2000", "0", "0", "0", "", ""],
            ["vk_ads", "c-2", "0", "0", "1", "0", "2000", "0", "0", "", ""],
        ])
        // Funnels webinar or none: o1 and o2 entered through u1's webinar registration; o3 through u2's, no funnel.
        #expect(try Self.rows("Deal attribution by funnel", some, reader) == [
            ["webinar", "yandex_direct", "Autumn 'launch' (c-1)", "1", "2", "1", "1", "5000", "0"],
            ["(no funnel)", "vk_ads", "c-2", "0", "1", "1", "1", "2000", "0"],
            ["(no funnel)", "(none)", "", "1", "0", "0", "0", "0", "0"],
        ])
        #expect(try Self.rows("Sales managers", all, reader).map(\.first) == ["Олег (m-1)", "(none)"])

        // The Metabase questions on the same data (no variables: every project, its latest 30 days or by month).
        func question(_ name: String) throws -> [[String]] {
            guard let sql = try OpsFiles.metabaseQuestions().first(where: { $0.name == name })?.sql else {
                throw OpsTestError("no question \(name)")
            }
            let result = try reader.execute(sql)
            return result.rows.map { row in (0..<result.columns.count).map { Self.plain(row[$0] ?? "") } }
        }
        // project, month, product, offer, orders, paid, payments, revenue, refunds, avg_check, previous month, change.
        #expect(try question("06_products_by_month.sql") == [
            ["ops-school", "2026-10-01", "Course A", "it's VIP", "1", "1", "1", "5000", "0", "5000", "0", ""],
            ["ops-school", "2026-10-01", "Course A", "", "1", "1", "1", "2000", "0", "2000", "0", ""],
            ["ops-school", "2026-10-01", "Course B", "basic", "1", "0", "0", "0", "0", "", "0", ""],
        ])
        // The latest day is 10-08, so 09-09 … 10-08 holds everything; names where the network gave one.
        #expect(try question("07_attribution_first_vs_deal.sql") == [
            ["ops-school", "yandex_direct", "c-1", "Autumn 'launch'", "1000", "1", "1", "5000", "5000", "0", "0", "400", "400"],
            ["ops-school", "(none)", "", "", "0", "1", "0", "2000", "0", "0", "0", "", ""],
            ["ops-school", "vk_ads", "c-2", "", "0", "0", "1", "0", "2000", "0", "0", "", ""],
        ])
        #expect(try question("04_managers_by_month.sql").map { $0[3] } == ["Олег", ""])
    }

    @Test("engagement panels: courses, lesson funnel, webinar conversion, retention, churn and repeat purchases by hand")
    func engagementPanels() throws {
        let reader = try Self.load()
        defer { reader.close() }
        func rows(_ title: String) throws -> [[String]] {
            try Self.rows(title, [:], reader, dashboard: "engagement.json")
        }
        #expect(try rows("Courses: completion and payers after start") == [["c-a", "2", "2", "1", "50", "2", "7000"]])
        #expect(try rows("Lesson funnel: first opens and completions in the period") == [
            ["c-a", "l1", "1", "1", "100", "0", "0", "0"],
            ["c-a", "l2", "1", "1", "100", "0", "0", "0"],
            ["c-a", "web-1", "0", "0", "", "0", "0", "1"],
        ])
        #expect(try rows("Lessons completed per day").map { Array($0.dropFirst()) } == [["c-a", "1"], ["c-a", "1"]])
        #expect(try rows("Webinar conversion: buyers within 7 days") == [["c-a", "web-1", "1", "1", "2000", "100"]])
        #expect(try rows("Retention: % of the cohort active by month since registration") == [
            ["2026-10", "2", "100", "", "", "", "", ""],
        ])
        #expect(try rows("Churned users by month since registration") == [["2026-10", "", "", "", "", ""]])
        #expect(try rows("Repeat purchases by cohort") == [["2026-10", "2", "0", "0"]])
    }
}
