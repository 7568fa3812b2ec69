import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Postgres
import Testing
import Worker

/// A mock cluster with an orders topic and a dead letter topic, and an empty database.
private struct RedriveWorld {
    let cluster: KafkaMockCluster
    let orders: String
    let registrations: String
    let deadLetter: String
    let databaseURL: String
    let logger: Logger

    init() throws {
        var logger = Logger(label: "redrive-tests")
        logger.logLevel = .error
        self.logger = logger
        let suffix = UUID().uuidString.prefix(8).lowercased()
        cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        orders = "r\(suffix).orders"
        registrations = "r\(suffix).registrations"
        deadLetter = "r\(suffix).deadletter"
        try cluster.createTopic(orders, partitions: 3)
        try cluster.createTopic(registrations, partitions: 3)
        try cluster.createTopic(deadLetter, partitions: 1)
        // Redrive needs no migration: it creates its own progress table.
        databaseURL = try ThrowawayPostgres.shared.createDatabase(prefix: "redrive")
    }

    var kafka: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

    /// Writes dead letters exactly as the worker does, from messages that sat on `partition`/`offset` of their topic.
    func produceDeadLetters(_ letters: [(topic: String, partition: Int32, offset: Int64, key: String, value: String, reason: String)]) throws {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let messages = letters.map { letter in
            DeadLetter(
                message: KafkaMessage(
                    topic: letter.topic, partition: letter.partition, offset: letter.offset,
                    key: Array(letter.key.utf8), value: Array(letter.value.utf8),
                    headers: [KafkaHeader(key: "traceparent", string: "00-\(letter.key)-01")]),
                reason: letter.reason
            ).outgoing(to: deadLetter)
        }
        _ = try producer.sendAndWait(messages, timeout: .seconds(30))
    }

    func redrive(reasonContains: String? = nil, limit: Int? = nil) throws -> Redrive.Summary {
        var configuration = RedriveConfiguration(kafka: kafka, databaseURL: databaseURL, deadLetterTopic: deadLetter)
        configuration.reasonContains = reasonContains
        configuration.limit = limit
        configuration.allowedTopics = [orders, registrations]
        return try Redrive(configuration: configuration, logger: logger).run()
    }

    /// How many messages a topic holds: the sum of its partitions' high watermarks (nothing expires here).
    func messageCount(_ topic: String) throws -> Int64 {
        let admin = try KafkaAdmin(configuration: kafka, logger: logger)
        var total: Int64 = 0
        for partition in 0..<(try admin.listTopics(timeout: .seconds(10))[topic] ?? 0) {
            total += try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10)).high
        }
        return total
    }

    /// Everything in `topic`, read by a fresh group from the beginning.
    func consumeAll(_ topic: String, expecting count: Int) throws -> [KafkaMessage] {
        let consumer = try KafkaConsumer(
            configuration: kafka, groupID: "reader-\(UUID())", rebalance: .fromBeginning, logger: logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        var messages: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(20)
        while messages.count < count, Date() < deadline {
            messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(500))
        }
        return messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }
}

private let missingRate = "fx rate missing: no USD→RUB rate on or before 2026-03-01 in fx_rates"

private func order(_ id: String) -> String {
    #"{"id":"\#(id)","type":"order","project":"school-a","data":{"order_id":"\#(id)","currency":"USD"}}"#
}

extension KafkaMessage {
    fileprivate func header(_ key: String) -> String? {
        headers.first { $0.key == key }?.stringValue
    }
}

@Suite("pipeline redrive")
struct RedriveTests {
    @Test("re-produces the dead letters whose reason matches, once")
    func redrivesMatchingOnce() throws {
        let world = try RedriveWorld()
        try world.produceDeadLetters([
            (world.orders, 2, 17, "o-1", order("e-1"), missingRate),
            (world.orders, 0, 4, "o-2", order("e-2"), "data.amount: must be a decimal"),
            (world.orders, 1, 9, "o-3", order("e-3"), missingRate + " (EUR)"),
        ])

        let first = try world.redrive(reasonContains: "fx rate missing")
        #expect(first == Redrive.Summary(redriven: 2, skipped: 1))

        let arrived = try world.consumeAll(world.orders, expecting: 2)
        #expect(try world.messageCount(world.orders) == 2)
        #expect(arrived.map { $0.key.map { String(decoding: $0, as: UTF8.self) } } == ["o-3", "o-1"])
        #expect(arrived.map { String(decoding: $0.value, as: UTF8.self) } == [order("e-3"), order("e-1")])
        // Back on the partition the event was read from, so it stays with the rest of its key.
        #expect(arrived.map(\.partition) == [1, 2])
        for message in arrived {
            #expect(!message.headers.contains { $0.key.hasPrefix("deadletter.") })
            #expect(message.header("traceparent") == "00-\(message.key.map { String(decoding: $0, as: UTF8.self) } ?? "")-01")
        }
        // Offsets 0 and 2 of the dead letter topic (offset 1 was the skipped one).
        #expect(arrived.map { $0.header(Redrive.redrivenFromOffsetHeader) } == ["2", "0"])

        let second = try world.redrive(reasonContains: "fx rate missing")
        #expect(second == Redrive.Summary(redriven: 0, skipped: 0))
        #expect(try world.messageCount(world.orders) == 2)
    }

    @Test("later dead letters, --limit, and another filter each pick up where their progress is")
    func progressPerFilter() throws {
        let world = try RedriveWorld()
        try world.produceDeadLetters([
            (world.orders, 0, 1, "o-1", order("e-1"), missingRate),
            (world.registrations, 0, 2, "u-2", #"{"id":"r-2"}"#, "data.user_id: missing"),
            (world.orders, 0, 3, "o-3", order("e-3"), missingRate),
            (world.orders, 0, 4, "o-4", order("e-4"), missingRate),
        ])

        #expect(try world.redrive(reasonContains: "fx rate missing", limit: 2) == Redrive.Summary(redriven: 2, skipped: 1))
        #expect(try world.messageCount(world.orders) == 2)
        #expect(try world.redrive(reasonContains: "fx rate missing") == Redrive.Summary(redriven: 1, skipped: 0))
        #expect(try world.messageCount(world.orders) == 3)

        // A dead letter written after the last run is all the next run sees.
        try world.produceDeadLetters([(world.orders, 1, 8, "o-5", order("e-5"), missingRate)])
        #expect(try world.redrive(reasonContains: "fx rate missing") == Redrive.Summary(redriven: 1, skipped: 0))
        #expect(try world.messageCount(world.orders) == 4)

        // Without a filter every dead letter goes back once, the ones re-driven above again
        // (harmless: the worker applies an id once); then nothing more.
        #expect(try world.redrive() == Redrive.Summary(redriven: 5, skipped: 0))
        #expect(try world.messageCount(world.orders) == 8)
        #expect(try world.messageCount(world.registrations) == 1)
        #expect(try world.redrive() == Redrive.Summary(redriven: 0, skipped: 0))
    }

    @Test("a dead letter naming no allowed topic is skipped, never sent")
    func unknownSourceTopic() throws {
        let world = try RedriveWorld()
        try world.produceDeadLetters([
            (world.deadLetter, 0, 0, "loop", "{}", missingRate),
            ("elsewhere", 0, 0, "x", "{}", missingRate),
            (world.orders, 0, 5, "o-1", order("e-1"), missingRate),
        ])
        #expect(try world.redrive() == Redrive.Summary(redriven: 1, skipped: 2))
        #expect(try world.messageCount(world.orders) == 1)
        #expect(try world.messageCount(world.deadLetter) == 3)
    }

    @Test("the command prints its counts; an empty dead letter topic is no work")
    func command() throws {
        let world = try RedriveWorld()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("redrive-\(UUID().uuidString).json")
        try Data("""
            {"topics": {"orders": "\(world.orders)", "registrations": "\(world.registrations)", "deadletter": "\(world.deadLetter)"}}
            """.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let environment = ["KAFKA_BROKERS": world.cluster.bootstrapServers, "DATABASE_URL": world.databaseURL]

        let empty = try PipelineProcess.run(["redrive", "--config", config.path], environment: environment)
        #expect(empty.status == 0)
        #expect(empty.stdout == "redriven 0 message(s), skipped 0\n")

        try world.produceDeadLetters([
            (world.orders, 0, 1, "o-1", order("e-1"), missingRate),
            (world.orders, 0, 2, "o-2", order("e-2"), "data.amount: must be a decimal"),
            (world.orders, 0, 3, "o-3", order("e-3"), missingRate),
        ])
        let first = try PipelineProcess.run(
            ["redrive", "--config", config.path, "--reason-contains", "fx rate missing"], environment: environment)
        #expect(first.status == 0)
        #expect(first.stdout == "redriven 2 message(s), skipped 1\n")
        let second = try PipelineProcess.run(
            ["redrive", "--config", config.path, "--reason-contains", "fx rate missing"], environment: environment)
        #expect(second.stdout == "redriven 0 message(s), skipped 0\n")
        #expect(try world.messageCount(world.orders) == 2)
    }
}
