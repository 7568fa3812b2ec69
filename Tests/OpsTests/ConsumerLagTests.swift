import Events
import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Postgres
import Testing
@testable import Worker

@Suite("consumer lag")
struct ConsumerLagTests {
    static let p0 = KafkaTopicPartition(topic: "school.clicks", partition: 0)
    static let p1 = KafkaTopicPartition(topic: "school.clicks", partition: 1)

    @Test("lag is the high watermark minus where the group resumes", arguments: [
        // low and high watermarks, stored next offset, expected lag
        (0, 10, 4, 6),
        (0, 10, nil, 10),   // nothing applied yet: all of it
        (0, 10, 10, 0),     // caught up
        (0, 0, nil, 0),     // empty partition
        (7, 10, nil, 3),    // retention removed 0..<7: the consumer resumes at 7
        (7, 10, 2, 3),      // a stored offset below the low watermark resumes at the low one
        (0, 10, 12, 0),     // stored past the high watermark (a just-recreated topic): never negative
    ] as [(Int64, Int64, Int64?, Int64)])
    func lag(low: Int64, high: Int64, stored: Int64?, expected: Int64) {
        let applied = stored.map { [Self.p0: $0] } ?? [:]
        #expect(ConsumerLagSampler.lag(watermarks: [Self.p0: (low, high)], applied: applied) == [Self.p0: expected])
    }

    @Test("the sampler measures every partition of the consumed topics against the offsets stored in PostgreSQL")
    func samplerAgainstKafkaAndPostgres() throws {
        let logger = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let topics = EventTopics()
        for topic in topics.all { try cluster.createTopic(topic, partitions: 2) }
        let (url, reader) = try BIQueries.migratedDatabase(prefix: "ops_lag")
        reader.close()
        let producer = try KafkaProducer(configuration: cluster.configuration(), logger: logger)
        // 5 messages in clicks/0, 3 in clicks/1, 2 in orders/1.
        let messages = (0..<5).map { KafkaOutgoingMessage(topic: Self.p0.topic, key: "k", value: "v\($0)", partition: 0) }
            + (0..<3).map { KafkaOutgoingMessage(topic: Self.p1.topic, key: "k", value: "w\($0)", partition: 1) }
            + (0..<2).map { KafkaOutgoingMessage(topic: topics.orders, key: "k", value: "o\($0)", partition: 1) }
        _ = try producer.sendAndWait(messages, timeout: .seconds(30))
        let admin = try PostgresConnection(connectionString: url, logger: logger)
        defer { admin.close() }
        // The group applied clicks/0 up to offset 2 and orders/1 entirely; another group's offsets do not count.
        try admin.execute("""
            INSERT INTO pipeline.consumer_offsets (group_id, topic, partition, next_offset)
            VALUES ('ops-lag', 'school.clicks', 0, 2), ('ops-lag', 'school.orders', 1, 2), ('other', 'school.clicks', 1, 3)
            """)
        var configuration = WorkerConfiguration(kafka: cluster.configuration(), databaseURL: url)
        configuration.groupID = "ops-lag"
        let lag = try ConsumerLagSampler(configuration: configuration, logger: logger).sample()
        var expected: [KafkaTopicPartition: Int64] = [:]
        for topic in topics.eventTopics {
            for partition in Int32(0)..<2 { expected[KafkaTopicPartition(topic: topic, partition: partition)] = 0 }
        }
        expected[Self.p0] = 3
        expected[Self.p1] = 3
        #expect(lag == expected)
    }
}

@Suite("worker log metadata")
struct WorkerLogMetadataTests {
    @Test("a dead letter's project comes from its message key", arguments: [
        ("demo-school:user-1", "demo-school"),
        ("school-kz:yandex_direct:15501:2026-10-01", "school-kz"),
        (":user-1", nil),
        ("no-colon", nil),
    ] as [(String, String?)])
    func project(key: String, expected: String?) {
        let message = KafkaMessage(topic: "school.orders", partition: 0, offset: 7, key: Array(key.utf8), value: [], headers: [])
        #expect(DeadLetter(message: message, reason: "r").project == expected)
    }

    @Test("a dead letter without a key names no project")
    func noKey() {
        let message = KafkaMessage(topic: "school.orders", partition: 0, offset: 7, key: nil, value: [], headers: [])
        #expect(DeadLetter(message: message, reason: "r").project == nil)
    }
}
