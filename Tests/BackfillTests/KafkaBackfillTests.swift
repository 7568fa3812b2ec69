import Events
import Foundation
import Kafka
import Testing
@testable import Backfill

/// One mock Kafka cluster with the SPEC topics per test, so tests run in parallel without sharing anything.
struct KafkaHarness {
    let cluster: KafkaMockCluster
    let producer: KafkaProducer
    let topics = EventTopics()

    init() throws {
        cluster = try KafkaMockCluster(brokers: 1, logger: Support.logger())
        for topic in topics.all { try cluster.createTopic(topic, partitions: 2) }
        producer = try KafkaProducer(configuration: cluster.configuration(), logger: Support.logger())
    }

    var sink: KafkaEventSink { KafkaEventSink(producer: producer, topics: topics) }

    /// Imports the three exports of `Support` in the command's order: users, orders, payments.
    func importAll(checkpoint: CheckpointFile?, sink: (any EventSink)? = nil) async throws -> BackfillOutcome {
        let runner = BackfillRunner(sink: sink ?? self.sink, checkpointFile: checkpoint, batchRows: 2)
        var total = BackfillOutcome()
        for (kind, text, name) in [(GetCourseExportKind.users, Support.users, "users.csv"), (.orders, Support.orders, "orders.csv"), (.payments, Support.payments, "payments.csv")] {
            var table = try CSVExportTable(name: name, bytes: Array(text.utf8), format: CSVFormat())
            let mapper = try GetCourseRowMapper(kind: kind, header: table.header, context: Support.context, decimalSeparator: .comma)
            let outcome = try await runner.run(table: &table, mapper: mapper, key: "\(kind.rawValue):\(name)")
            total.rowsRead += outcome.rowsRead
            total.rowsResumed += outcome.rowsResumed
            total.eventsDelivered += outcome.eventsDelivered
            total.rowsRejected += outcome.rowsRejected
        }
        return total
    }

    /// Every message now in the registrations and orders topics, read with a consumer group of its own.
    func messages(count: Int) async throws -> [KafkaMessage] {
        let configuration = cluster.configuration()
        let topics = [topics.registrations, topics.orders]
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let consumer = try KafkaConsumer(
                        configuration: configuration, groupID: "reader-\(UUID().uuidString)", rebalance: .fromBeginning, logger: Support.logger())
                    defer { consumer.close() }
                    try consumer.subscribe(topics: topics)
                    let clock = ContinuousClock()
                    let deadline = clock.now.advanced(by: .seconds(120))  // a deadline to fail by; left once the messages are read
                    var messages: [KafkaMessage] = []
                    while messages.count < count && clock.now < deadline {
                        messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
                    }
                    // A little longer, so that "no more than count" is shown, not assumed.
                    let quiet = clock.now.advanced(by: .milliseconds(1500))
                    while clock.now < quiet {
                        messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
                    }
                    return messages
                })
            }.start()
        }
    }
}

/// The ids the three exports of `Support` must give, from the callback's id rules (hand-derived, Moscow = UTC+3).
let supportIDs: [String: (topic: String, key: String)] = [
    "getcourse:user:512478330:registration": ("school.registrations", "school:512478330"),
    "getcourse:user:512478331:registration": ("school.registrations", "school:512478331"),
    "getcourse:order:871035642:payed:2026-01-15T06:03:42Z": ("school.orders", "school:871035642"),
    "getcourse:order:871035643:new:2026-01-16T07:00:00Z": ("school.orders", "school:871035643"),
    "getcourse:order:871035644:part_payed:2026-01-17T09:00:00Z": ("school.orders", "school:871035644"),
    "getcourse:payment:5551:accepted": ("school.orders", "school:871035642"),
    "getcourse:payment:5552:refunded": ("school.orders", "school:871035642"),
]

@Suite struct KafkaBackfillTests {
    @Test func importingTwiceGivesTheSameEventsOnTheRightTopicsAndKeys() async throws {
        let kafka = try KafkaHarness()
        let first = try await kafka.importAll(checkpoint: nil)
        #expect(first.eventsDelivered == 7)
        #expect(first.rowsRejected == 0)
        let second = try await kafka.importAll(checkpoint: nil)
        #expect(second.eventsDelivered == 7)

        let messages = try await kafka.messages(count: 14)
        #expect(messages.count == 14)
        var valuesByID: [String: Set<[UInt8]>] = [:]
        for message in messages {
            let event = try Event.decode(json: message.value)
            valuesByID[event.id, default: []].insert(message.value)
            let expected = supportIDs[event.id]
            #expect(expected != nil, "unexpected event \(event.id)")
            #expect(message.topic == expected?.topic)
            #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == expected?.key)
            #expect(event.project == "school")
            #expect(event.source == "backfill")
        }
        #expect(Set(valuesByID.keys) == Set(supportIDs.keys))
        // Each fact twice, byte for byte the same envelope.
        #expect(valuesByID.values.allSatisfy { $0.count == 1 })
        #expect(messages.count == 2 * supportIDs.count)
    }

    @Test func interruptedImportResumesFromTheCheckpoint() async throws {
        let kafka = try KafkaHarness()
        let checkpoint = temporaryCheckpoint()
        // The third delivery (users done, first orders batch done) fails: as if the broker went away.
        let failing = RecordingSink(failOn: 3, forwardingTo: kafka.sink)
        do {
            _ = try await kafka.importAll(checkpoint: checkpoint, sink: failing)
            Issue.record("the failing producer went unnoticed")
        } catch BackfillError.delivery(let table, let rowsDone, _) {
            #expect(table == "orders.csv")
            #expect(rowsDone == 2)
        }
        let stored = try checkpoint.load()
        #expect(stored.entries["users:users.csv"]?.finished == true)
        #expect(stored.entries["orders:orders.csv"]?.rowsDone == 2)
        #expect(stored.entries["payments:payments.csv"] == nil)

        let resumed = try await kafka.importAll(checkpoint: checkpoint)
        #expect(resumed.rowsResumed == 2 + 2)
        #expect(resumed.rowsRead == 1 + 3)
        let messages = try await kafka.messages(count: 7)
        let ids = try messages.map { try Event.decode(json: $0.value).id }
        #expect(Set(ids) == Set(supportIDs.keys))
        // Nothing confirmed was sent again: the checkpoint moved only after delivery reports.
        #expect(ids.count == 7)

        let third = try await kafka.importAll(checkpoint: checkpoint)
        #expect(third.eventsDelivered == 0)
        #expect(third.rowsRead == 0)
    }
}
