import Aggregation
import Events
import Foundation
import Kafka
import Logging
import MetricsTestKit
import PipelineTestSupport
import Postgres
import Testing
import Verification
@testable import Worker

/// Big backlogs on PostgreSQL's stock settings: the locks of a batch are bounded whatever it
/// names, a refusal for lack of shared memory is never fatal, and data the broker dropped is
/// recorded, counted and logged instead of skipped in silence.
@Suite("backlogs on stock settings")
struct StockSettingsTests {
    /// A wide data set of one project: `users` users who register (a twentieth of them twice, the
    /// second registration earlier, so attributions move inside the batch), a third of them with
    /// an order (some paid), a fifth with an accepted payment; every 40th envelope delivered twice.
    static func wideDataSet(users: Int, prefix: String = "w") -> (deliveries: [String], distinct: [Event]) {
        let ads = [("yandex", "c1", "a1"), ("vk", "c2", "a2"), ("facebook", "c3", "a3"), ("", "", "")]
        var lines: [String] = []
        for index in 0..<users {
            let user = "\(prefix)\(index)"
            let (source, campaign, content) = ads[index % ads.count]
            let day = 1 + index % 28
            let at = "2026-03-\(day < 10 ? "0" : "")\(day)T10:00:00Z"
            lines.append(#"{"id":"\#(user)-r","type":"registration","project":"alpha","source":"test","occurred_at":"\#(at)","data":{"user_id":"\#(user)","utm":{"source":"\#(source)","campaign":"\#(campaign)","content":"\#(content)"}}}"#)
            if index % 20 == 0 {
                // Earlier than the first one: the user's attribution moves to google/c9/a9.
                lines.append(#"{"id":"\#(user)-r0","type":"registration","project":"alpha","source":"test","occurred_at":"2026-02-20T08:00:00Z","data":{"user_id":"\#(user)","utm":{"source":"google","campaign":"c9","content":"a9"}}}"#)
            }
            if index % 3 == 0 {
                let status = index % 2 == 0 ? "paid" : "new"
                lines.append(#"{"id":"\#(user)-o","type":"order","project":"alpha","source":"test","occurred_at":"\#(at)","data":{"order_id":"\#(user)-o","user_id":"\#(user)","status":"\#(status)","amount":"\#(1000 + index % 7).50","currency":"RUB","created_at":"\#(at)"}}"#)
            }
            if index % 5 == 0 {
                lines.append(#"{"id":"\#(user)-p","type":"payment","project":"alpha","source":"test","occurred_at":"\#(at)","data":{"payment_id":"\#(user)-p","order_id":"\#(user)-o","user_id":"\#(user)","amount":"\#(990 + index % 11).25","currency":"RUB","status":"accepted"}}"#)
            }
        }
        var deliveries: [String] = []
        for (index, line) in lines.enumerated() {
            deliveries.append(line)
            if index % 40 == 0 { deliveries.append(line) }
        }
        return (deliveries, lines.map { try! Event.decode(json: $0) })
    }

    /// The messages of `deliveries` as the worker would poll them: each on its type's topic, partition 0.
    static func messages(_ deliveries: [String], topics: EventTopics) -> [DecodedMessage] {
        var next: [String: Int64] = [:]
        return deliveries.map { line in
            let topic = topics.topic(for: try! Event.decode(json: line).type)
            defer { next[topic, default: 0] += 1 }
            return DecodedMessage(KafkaMessage(
                topic: topic, partition: 0, offset: next[topic, default: 0], key: nil, value: Array(line.utf8), headers: []))
        }
    }

    @Test("one batch naming 16,000 users applies on stock settings behind a 50-connection pooler, with bounded locks, and every view equals the oracle")
    func wideBatch() throws {
        // Stock settings but max_connections 50, as behind a pooler: a lock table of 64 × 50 = 3,200
        // slots, where one advisory lock per user (16,000) ran out of shared memory.
        let server = try ThrowawayPostgres(settings: ["max_connections": "50"])
        defer { server.stop() }
        let harness = try WorkerHarness(partitions: 1, server: server)
        #expect(try harness.query("SHOW max_locks_per_transaction") == [["64"]])
        #expect(try harness.query("SHOW max_connections") == [["50"]])

        let data = Self.wideDataSet(users: 16_000)
        let applier = BatchApplier(
            offsets: OffsetStore(groupID: harness.groupID, schema: "pipeline"), topics: harness.topics,
            projects: ProjectDirectory(), attributionRules: .default, lease: nil)
        let connection = try harness.connection()
        defer { connection.close() }
        let rates = try FxRateStore().load(in: connection)
        var advisoryLocks = -1
        let outcome = try connection.transaction {
            let outcome = try applier.apply(Self.messages(data.deliveries, topics: harness.topics), rates: rates,
                                            in: connection, publish: { _ in })
            advisoryLocks = try connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            ).rows[0].decode(0, as: Int.self)
            return outcome
        }
        #expect(outcome.applied == data.distinct.count)
        #expect(outcome.duplicates == data.deliveries.count - data.distinct.count)
        #expect(outcome.deadLetters.isEmpty)
        // The lease owner alone applies, so a batch locks no users at all (it locked one bucket each before).
        #expect(advisoryLocks == 0, "advisory locks held: \(advisoryLocks)")

        let oracle = Oracle(events: data.distinct, rates: [])
        let differences = try BIComparison.differences(
            connection, oracle, summaries: [(project: "alpha", from: LocalDate("2026-02-01")!, to: LocalDate("2026-03-31")!)])
        #expect(differences.isEmpty, "\(differences.prefix(20).joined(separator: "\n"))")
        // By hand, so the test does not rest on the oracle alone: users 0, 20, 40 … (800 of 16,000)
        // registered earlier through google/c9/a9 and are attributed there; their second
        // registrations follow them; 0, 60, 120 … (267) have orders, paid ones (even indexes: all
        // of them); all 800 pay (multiples of 20 are multiples of 5).
        let google = try harness.query("""
            SELECT sum(registrations), sum(orders), sum(paid_orders), sum(payments) FROM bi.funnel_daily
            WHERE project = 'alpha' AND network = 'google_ads' AND campaign_id = 'c9' AND ad_id = 'a9'
            """)
        #expect(google == [["1600", "267", "267", "800"]])
    }

    @Test("a batch's locks do not grow with its users: 600 users apply whole in a lock table another session nearly filled")
    func nearlyFullLockTable() throws {
        // The smallest lock table PostgreSQL allows (10 × 20 = 200 slots, plus its slack), nearly
        // filled by another session's locks. Workers that locked users needed ~230 bucket locks for
        // this batch and had to apply it in halves; the lease owner locks only relations and its
        // offsets and lease rows, as many for 600 users as for one.
        let server = try ThrowawayPostgres(settings: ["max_connections": "20", "max_locks_per_transaction": "10"])
        defer { server.stop() }
        let harness = try WorkerHarness(partitions: 1, server: server)
        let data = Self.wideDataSet(users: 600, prefix: "s")
        try harness.produce(data.deliveries)

        let hog = try harness.connection()
        defer { hog.close() }
        var held: [Int64] = []
        while true {
            do {
                try hog.execute("SELECT pg_advisory_lock($1)", [Int64(1_000_000 + held.count)])
                held.append(Int64(1_000_000 + held.count))
            } catch let error as PostgresError where error.sqlState == "53200" {
                break
            }
            guard held.count < 100_000 else {
                Issue.record("the lock table never filled")
                return
            }
        }
        // Room for a transaction's relation locks, not for ~230 user buckets.
        for key in held.suffix(200) { try hog.execute("SELECT pg_advisory_unlock($1)", [key]) }

        let records = CapturingLogHandler.Records()
        var logger = Logger(label: "short-of-memory") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .notice
        let summary = try PipelineWorker(configuration: harness.workerConfiguration(batch: 2_000), logger: logger).run()
        #expect(summary.applied == data.distinct.count)
        #expect(summary.deadLetters == 0)
        let splits = records.all.filter { $0.1.hasPrefix("PostgreSQL is short of shared memory or locks") }
        #expect(splits.isEmpty, "the batch needed splitting: its locks grow with its users")

        let connection = try harness.connection()
        defer { connection.close() }
        let differences = try BIComparison.differences(connection, Oracle(events: data.distinct, rates: []))
        #expect(differences.isEmpty, "\(differences.prefix(20).joined(separator: "\n"))")
    }

    @Test("messages the broker dropped under a stopped worker are recorded as a lost range, counted, logged, and skipped")
    func lostRange() throws {
        let harness = try WorkerHarness(partitions: 1)
        let topic = harness.topics.registrations
        let first = (0..<10).map { registrationJSON(id: "lr-\($0)", user: "lr-\($0)", at: "2026-03-02T10:00:00Z") }
        try harness.produce(first)
        var summary = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        #expect(summary.applied == 10)

        // While no worker runs, 8 MiB more: the embedded broker keeps ~5 MiB per partition and drops
        // the oldest message sets, the ten applied ones and some not yet applied among them.
        let padding = String(repeating: "v", count: 1_200)
        let filler = (0..<7_000).map { index in
            #"{"id":"lf-\#(index)","type":"registration","project":"school-a","source":"test","occurred_at":"2026-03-03T10:00:00Z","data":{"user_id":"lf-\#(index)","visitor_id":"\#(padding)","utm":{}}}"#
        }
        try harness.produce(filler)
        let admin = try KafkaAdmin(configuration: harness.kafka, logger: harness.logger)
        let marks = try admin.watermarks(topic: topic, partition: 0, timeout: .seconds(30))
        #expect(marks.high == 7_010)
        try #require(marks.low > 10, "the broker kept everything (log start \(marks.low)): nothing was lost")

        let records = CapturingLogHandler.Records()
        var logger = Logger(label: "lost-range") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .notice
        let metrics = TestMetrics()
        var configuration = harness.workerConfiguration(batch: 2_000)
        configuration.metricsFactory = metrics
        summary = try PipelineWorker(configuration: configuration, logger: logger).run()

        let lost = marks.low - 10
        #expect(summary.applied == Int(7_010 - marks.low))
        #expect(try harness.query(
            "SELECT group_id, topic, partition::text, from_offset::text, to_offset::text, lost_messages::text FROM pipeline.lost_ranges"
        ) == [[harness.groupID, topic, "0", "10", "\(marks.low)", "\(lost)"]])
        #expect(metrics.counterTotal(label: "pipeline_worker_lost_messages_total", dimensions: [("topic", topic)]) == Int(lost))
        #expect(metrics.counterTotal(label: "pipeline_worker_lost_ranges_total", dimensions: [("topic", topic)]) == 1)
        let errors = records.all.filter { $0.0 == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.1 == "messages lost: the partition's log starts past the stored offset")
        #expect(errors.first.map { "\($0.2["topic"] ?? "") \($0.2["from"] ?? "") \($0.2["to"] ?? "")" }
            == "\(topic) 10 \(marks.low)")
        // The views hold what was applied: the ten first registrations and what the broker still had.
        #expect(try harness.registrationsDaily() == ["school-a 2026-03-02": 10, "school-a 2026-03-03": Int(7_010 - marks.low)])
    }
}
