import Verification
import Foundation
import PipelineTestSupport
import Kafka
import MetricsTestKit
import Testing
import Worker

@Suite("registrations end to end: produce → Kafka → worker → PostgreSQL")
struct RegistrationsEndToEndTests {
    @Test("counts per project and Moscow day, duplicates once, bad messages dead-lettered")
    func countsPerProjectAndDay() throws {
        let harness = try WorkerHarness()
        try harness.produce([
            // 2026-03-01 21:30Z is 2026-03-02 00:30 in Moscow (UTC+3): the next day.
            registrationJSON(id: "r1", user: "u1", at: "2026-03-01T21:30:00Z"),
            registrationJSON(id: "r2", user: "u2", at: "2026-03-01T20:59:59Z"),
            registrationJSON(id: "r3", user: "u3", at: "2026-03-02T10:00:00+03:00"),
            // A retried webhook: the same id again, even with another payload, counts once.
            registrationJSON(id: "r3", user: "u3", at: "2026-03-02T10:00:00+03:00"),
            registrationJSON(id: "r1", user: "u1", at: "2026-03-05T10:00:00+03:00"),
            registrationJSON(id: "r4", project: "school-b", user: "u1", at: "2026-03-02T00:00:00+03:00"),
            registrationJSON(id: "r5", project: "school-b", user: "u5", at: "2026-03-01T23:59:59.999999+03:00"),
            "{not json",
            #"{"id":"r6","type":"registration","project":"school-a","source":"getcourse","occurred_at":"2026-03-02T10:00:00Z","data":{"utm":{}}}"#,
        ])

        let metrics = TestMetrics()
        var configuration = harness.workerConfiguration()
        configuration.metricsFactory = metrics
        let summary = try PipelineWorker(configuration: configuration, logger: harness.logger).run()

        #expect(try harness.registrationsDaily() == [
            "school-a 2026-03-01": 1,  // r2
            "school-a 2026-03-02": 2,  // r1, r3
            "school-b 2026-03-01": 1,  // r5
            "school-b 2026-03-02": 1,  // r4
        ])
        #expect(summary.applied == 5)
        #expect(summary.duplicates == 2)
        #expect(summary.deadLetters == 2)
        // The same figures reach the metrics the dashboards and alerts read.
        #expect(metrics.counterTotal(label: "pipeline_worker_dead_letters_total",
                                     dimensions: [("topic", harness.topics.registrations)]) == 2)
        #expect(metrics.counterTotal(label: "pipeline_worker_events_applied_total") == 5)
        #expect(metrics.counterTotal(label: "pipeline_worker_duplicate_events_total") == 2)
        #expect(metrics.counterTotal(label: "pipeline_worker_messages_total",
                                     dimensions: [("topic", harness.topics.registrations)]) == 9)

        // The dead letters carry their reason and origin.
        let letters = try Self.deadLetters(of: harness, expected: 2)
        let reasons = letters.map { Self.header(DeadLetter.Header.reason, of: $0) }.sorted()
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.hasPrefix("data.user_id: missing") })
        #expect(letters.allSatisfy { Self.header(DeadLetter.Header.topic, of: $0) == harness.topics.registrations })
    }

    @Test("an event on another type's topic is dead-lettered, naming both; the rest is applied")
    func eventOnAnotherTypesTopic() throws {
        let harness = try WorkerHarness()
        try harness.produce([registrationJSON(id: "r1", user: "u1", at: "2026-03-02T10:00:00+03:00")])
        try harness.produce([registrationJSON(id: "r2", user: "u2", at: "2026-03-02T11:00:00+03:00")],
                            topic: harness.topics.orders)
        let summary = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        #expect(summary.applied == 1)
        #expect(summary.deadLetters == 1)
        #expect(try harness.registrationsDaily() == ["school-a 2026-03-02": 1])
        let letters = try Self.deadLetters(of: harness, expected: 1)
        #expect(letters.map { Self.header(DeadLetter.Header.reason, of: $0) }
            == ["type: registration events do not belong on topic \(harness.topics.orders)"])
        #expect(letters.map { Self.header(DeadLetter.Header.topic, of: $0) } == [harness.topics.orders])
    }

    /// Reads the harness's dead letter topic until `expected` letters came (or 20 s passed).
    static func deadLetters(of harness: WorkerHarness, expected: Int) throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(
            configuration: harness.kafka, groupID: "dlq-reader-\(UUID())",
            rebalance: KafkaRebalanceHandler(onAssign: { _ in [:] }, onRevoke: { _ in }), logger: harness.logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: [harness.topics.deadLetter])
        var letters: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(20)
        while letters.count < expected, Date() < deadline {
            letters += try consumer.pollBatch(maxMessages: 10, timeout: .milliseconds(500))
        }
        return letters
    }

    static func header(_ key: String, of message: KafkaMessage) -> String {
        String(decoding: message.headers.first { $0.key == key }?.value ?? [], as: UTF8.self)
    }

    @Test("a second run over the same topics changes nothing")
    func rerunChangesNothing() throws {
        let harness = try WorkerHarness()
        try harness.produce((0..<40).map {
            registrationJSON(id: "r\($0)", user: "u\($0)", at: "2026-04-\(10 + $0 % 4)T12:00:00+03:00")
        })
        _ = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        // A new group has no offsets: it reads everything again, and the ids stop it counting twice.
        var again = harness.workerConfiguration()
        again.groupID += "-replay"
        let replay = try PipelineWorker(configuration: again, logger: harness.logger).run()
        #expect(replay.applied == 0)
        #expect(replay.duplicates == 40)
        #expect(try harness.registrationsDaily() == [
            "school-a 2026-04-10": 10, "school-a 2026-04-11": 10, "school-a 2026-04-12": 10, "school-a 2026-04-13": 10,
        ])
    }
}

@Suite("a message PostgreSQL refuses")
struct RefusedMessageTests {
    /// 8,000 characters that do not compress: more than a btree index row can hold (about 2,700 bytes).
    static func hugeUserID(seed: UInt64) -> String {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<8_000).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }

    @Test("is isolated and dead-lettered alone; the rest of its batch is applied")
    func isolatedAndDeadLettered() throws {
        let harness = try WorkerHarness(partitions: 1)
        let hugeUser = Self.hugeUserID(seed: 3)
        try harness.produce((0..<10).map {
            registrationJSON(id: "r\($0)", user: $0 == 6 ? hugeUser : "u\($0)", at: "2026-04-0\(1 + $0 % 3)T12:00:00+03:00")
        })
        let summary = try PipelineWorker(configuration: harness.workerConfiguration(batch: 100), logger: harness.logger).run()
        #expect(summary.applied == 9)
        #expect(summary.deadLetters == 1)
        // The batch was computed ahead; its transaction failed, so the state was read again and
        // the batch applied alone.
        #expect(summary.reloads == 1)
        // r0..r9 on days 1 + n % 3; r6 (day 1) is the refused one.
        #expect(try harness.registrationsDaily() == [
            "school-a 2026-04-01": 3, "school-a 2026-04-02": 3, "school-a 2026-04-03": 3,
        ])
        // r6's id is not among the applied ones (16-byte SHA-256 prefixes, 16 bytes apart).
        #expect(try harness.query("""
            SELECT count(*) FROM pipeline.applied_batches b, generate_series(0, b.events - 1) AS i
            WHERE substring(b.id_hashes FROM i * 16 + 1 FOR 16) = substring(sha256(convert_to('r6', 'UTF8')) FROM 1 FOR 16)
            """)[0][0] == "0")
        #expect(try harness.query("SELECT sum(events) FROM pipeline.applied_batches")[0][0] == "9")
    }

    @Test("the batch computed on top of a failed one is computed again from the reloaded state")
    func batchAfterTheFailedOneIsComputedAgain() throws {
        let harness = try WorkerHarness(partitions: 1)
        let hugeUser = Self.hugeUserID(seed: 4)
        // Batches of 4. The first holds the refused registration (r2: its user id is too long for
        // the registrations' index) and u1's registration on 04-02; the second, computed while the
        // first commits, u1's earlier one on 04-01 (which moves u1's first registration) and an
        // order of the refused registration's user (users_log has no index: the order is applied).
        // Computed from the memory with the first batch's changes in it, that order would find its
        // user known and not log it; computed again from the reloaded state, it logs the user.
        try harness.produce([
            registrationJSON(id: "r0", user: "u1", at: "2026-04-02T12:00:00+03:00"),
            registrationJSON(id: "r1", user: "u2", at: "2026-04-02T12:00:00+03:00"),
            registrationJSON(id: "r2", user: hugeUser, at: "2026-04-02T12:00:00+03:00"),
            registrationJSON(id: "r3", user: "u3", at: "2026-04-03T12:00:00+03:00"),
            registrationJSON(id: "r4", user: "u1", at: "2026-04-01T12:00:00+03:00"),
            #"{"id":"o5","type":"order","project":"school-a","source":"test","occurred_at":"2026-04-01T13:00:00Z","data":{"order_id":"o5","user_id":"\#(hugeUser)","status":"new","amount":"1000.50","currency":"RUB","created_at":"2026-04-01T13:00:00Z"}}"#,
            registrationJSON(id: "r6", user: "u4", at: "2026-04-01T12:00:00+03:00"),
            registrationJSON(id: "r7", user: "u5", at: "2026-04-03T12:00:00+03:00"),
        ])
        var configuration = harness.workerConfiguration(batch: 4)
        configuration.maxBatchWait = .milliseconds(500)
        let summary = try PipelineWorker(configuration: configuration, logger: harness.logger).run()
        #expect(summary.applied == 7)
        #expect(summary.deadLetters == 1)
        #expect(summary.reloads >= 1)
        // Registrations by day: every applied registration event; new users: each user's first day
        // (u1 on 04-01, not 04-02); the refused registration counts nowhere.
        #expect(try harness.registrationsDaily() == [
            "school-a 2026-04-01": 2, "school-a 2026-04-02": 2, "school-a 2026-04-03": 2,
        ])
        #expect(try harness.query("SELECT day::text, new_users::text FROM pipeline.new_users_daily WHERE new_users <> 0 ORDER BY day")
            == [["2026-04-01", "2"], ["2026-04-02", "1"], ["2026-04-03", "2"]])
        // u1…u5, and the refused registration's user through its order, without a registration.
        #expect(try harness.query("""
            SELECT count(DISTINCT u.user_id)::text FROM pipeline.users_log l CROSS JOIN LATERAL unnest(l.user_ids) AS u(user_id)
            """) == [["6"]])
        #expect(try harness.query("""
            SELECT count(*)::text, count(u.first_reg_at)::text
            FROM pipeline.users_log l CROSS JOIN LATERAL unnest(l.user_ids, l.first_reg_at) AS u(user_id, first_reg_at)
            WHERE u.user_id = $1
            """, [hugeUser]) == [["1", "0"]])
    }
}
