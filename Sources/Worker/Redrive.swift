import Foundation
import Kafka
import Logging
import Postgres

/// What `pipeline redrive` needs: where the dead letters are, which to re-produce, and where progress is kept.
public struct RedriveConfiguration: Sendable {
    public var kafka: KafkaConfiguration
    public var databaseURL: String
    public var deadLetterTopic: String
    /// Only dead letters whose reason contains this text are re-produced; nil re-produces all.
    public var reasonContains: String?
    /// Most dead letters re-produced in one run (skipped ones do not count); nil means no limit.
    public var limit: Int?
    /// Topics a dead letter may be sent back to; nil allows any but the dead letter topic itself.
    /// A header is only data, so the CLI restricts it to the event topics.
    public var allowedTopics: Set<String>?
    public var groupID = "pipeline-redrive"
    public var maxBatchMessages = 500
    /// Longest stretch without reaching the start's high watermarks before the run gives up,
    /// so a broker that never assigns the partitions fails the command instead of hanging it.
    public var stallTimeout: Duration = .seconds(120)

    public init(kafka: KafkaConfiguration, databaseURL: String, deadLetterTopic: String) {
        self.kafka = kafka
        self.databaseURL = databaseURL
        self.deadLetterTopic = deadLetterTopic
    }
}

/// Re-produces dead letters to the topics they came from, once each, and remembers how far it got.
///
/// Progress is the next dead letter offset per partition in `pipeline.redrive_offsets`, written
/// only after the broker acknowledged the re-produced messages: a crash in between re-produces
/// them again on the next run, which is harmless because the worker applies an event id once.
/// The run stops at the high watermarks seen at its start, so dead letters written meanwhile
/// (for example by an event that fails again) wait for the next run instead of looping.
public final class Redrive {
    public let configuration: RedriveConfiguration
    let logger: Logger

    /// Header carrying the dead letter's offset in the dead letter topic, to trace a re-driven event back.
    public static let redrivenFromOffsetHeader = "redriven.from.offset"

    public init(configuration: RedriveConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Totals of one run.
    public struct Summary: Sendable, Hashable {
        public var redriven: Int
        /// Dead letters passed over: another reason, or no allowed topic to send them to.
        public var skipped: Int

        public init(redriven: Int = 0, skipped: Int = 0) {
            self.redriven = redriven
            self.skipped = skipped
        }
    }

    /// Runs until caught up with the start's high watermarks, `limit` is reached, or `shouldStop` returns true.
    public func run(shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> Summary {
        let connection = try PostgresConnection(connectionString: configuration.databaseURL, logger: logger)
        defer { connection.close() }
        let store = RedriveOffsetStore(topic: configuration.deadLetterTopic, reasonFilter: configuration.reasonContains ?? "")
        try store.prepare(connection)

        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let existing = try admin.listTopics(timeout: .seconds(10))
        var highWatermarks: [KafkaTopicPartition: Int64] = [:]
        for partition in 0..<(existing[configuration.deadLetterTopic] ?? 0) {
            let marks = try admin.watermarks(topic: configuration.deadLetterTopic, partition: partition, timeout: .seconds(10))
            // A partition whose dead letters all expired (retention) has nothing left to wait for.
            guard marks.high > marks.low else { continue }
            highWatermarks[KafkaTopicPartition(topic: configuration.deadLetterTopic, partition: partition)] = marks.high
        }

        var summary = Summary()
        if try store.hasReached(highWatermarks, in: connection) { return summary }
        if let limit = configuration.limit, limit <= 0 { return summary }

        let producer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
        defer { try? producer.flush(timeout: .seconds(10)) }
        let lent = RedriveConnection(connection)
        let logger = self.logger
        let consumer = try KafkaConsumer(
            configuration: configuration.kafka, groupID: configuration.groupID,
            rebalance: KafkaRebalanceHandler(onAssign: { partitions in
                let stored = try store.nextOffsets(for: partitions, in: lent.connection)
                logger.info("redrive partitions assigned", metadata: [
                    "partitions": "\(partitions.map { "\($0.topic)/\($0.partition)@\(stored[$0] ?? 0)" })"])
                return stored
            }),
            logger: logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: [configuration.deadLetterTopic])

        let clock = ContinuousClock()
        var lastProgress = clock.now
        while !shouldStop() {
            var room = configuration.maxBatchMessages
            if let limit = configuration.limit { room = min(room, limit - summary.redriven) }
            let messages = try consumer.pollBatch(maxMessages: max(room, 1), timeout: .milliseconds(500))
            var outgoing: [KafkaOutgoingMessage] = []
            var progress: [KafkaTopicPartition: Int64] = [:]
            var skipped = 0
            for message in messages {
                // Beyond the start's watermark: left for the next run, and not recorded as done.
                guard message.offset < highWatermarks[message.topicPartition] ?? 0 else { continue }
                if let limit = configuration.limit, summary.redriven + outgoing.count >= limit { break }
                progress[message.topicPartition] = message.offset + 1
                if let redriven = redrivenMessage(for: message, topicPartitions: existing) {
                    outgoing.append(redriven)
                } else {
                    skipped += 1
                }
            }
            if !progress.isEmpty {
                if !outgoing.isEmpty { _ = try producer.sendAndWait(outgoing, timeout: .seconds(60)) }
                try store.record(progress, in: connection)
                summary.redriven += outgoing.count
                summary.skipped += skipped
                lastProgress = clock.now
            }
            if let limit = configuration.limit, summary.redriven >= limit { break }
            // Read back from the table rather than trusting memory: another redrive in the same
            // group may have taken over (and finished) some partitions after a rebalance.
            if try store.hasReached(highWatermarks, in: connection) { break }
            if lastProgress.duration(to: clock.now) > configuration.stallTimeout {
                throw RedriveStalled(deadLetterTopic: configuration.deadLetterTopic, timeout: configuration.stallTimeout)
            }
        }
        return summary
    }

    /// The message to send back, or nil when this dead letter is skipped (logged when it names no usable topic).
    func redrivenMessage(for letter: KafkaMessage, topicPartitions: [String: Int32]) -> KafkaOutgoingMessage? {
        func header(_ key: String) -> String? { letter.headers.last { $0.key == key }?.stringValue }
        let reason = header(DeadLetter.Header.reason) ?? ""
        if let wanted = configuration.reasonContains, !reason.contains(wanted) { return nil }
        let metadata: Logger.Metadata = [
            "partition": "\(letter.partition)", "offset": "\(letter.offset)", "reason": "\(reason)"]
        guard let topic = header(DeadLetter.Header.topic), !topic.isEmpty else {
            logger.warning("dead letter without a source topic header: skipped", metadata: metadata)
            return nil
        }
        guard topic != configuration.deadLetterTopic, configuration.allowedTopics?.contains(topic) ?? true else {
            logger.warning("dead letter names a topic that is not an event topic: skipped",
                           metadata: metadata.merging(["source_topic": "\(topic)"]) { $1 })
            return nil
        }
        var headers = letter.headers.filter { !$0.key.hasPrefix("deadletter.") && $0.key != Self.redrivenFromOffsetHeader }
        headers.append(KafkaHeader(key: Self.redrivenFromOffsetHeader, string: String(letter.offset)))
        // Back to the partition it came from, so it sits with the other events of its key whatever
        // partitioner the original producer used; if the topic has shrunk, the key decides.
        var partition: Int32?
        if let original = header(DeadLetter.Header.partition).flatMap(Int32.init),
           original >= 0, original < topicPartitions[topic] ?? 0
        {
            partition = original
        }
        return KafkaOutgoingMessage(topic: topic, key: letter.key, value: letter.value, headers: headers, partition: partition)
    }
}

/// The run saw no progress for too long while dead letters up to the start's watermarks remained.
public struct RedriveStalled: Error, CustomStringConvertible {
    public var deadLetterTopic: String
    public var timeout: Duration

    public var description: String {
        "redrive made no progress on \(deadLetterTopic) for \(timeout): are its partitions assigned to another redrive?"
    }
}

/// `pipeline.redrive_offsets`: how far redrive has got, per dead letter partition and reason filter.
///
/// Progress is kept per filter because a filtered run passes over the dead letters it skips: an
/// unfiltered run later must still see them (re-producing the ones the filter took again, which
/// the worker ignores by id). Created by redrive itself rather than by a migration, so that
/// redrive works against any database the worker can use, whatever migrations it has.
struct RedriveOffsetStore: Sendable {
    let topic: String
    /// The `--reason-contains` text, "" for none.
    let reasonFilter: String

    func prepare(_ connection: PostgresConnection) throws {
        try connection.transaction {
            // Concurrent CREATE ... IF NOT EXISTS can still collide on the catalog; the lock serialises them.
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('pipeline.redrive_offsets'))")
            try connection.execute("CREATE SCHEMA IF NOT EXISTS pipeline")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS pipeline.redrive_offsets (
                    topic       text   NOT NULL,
                    partition   int    NOT NULL,
                    reason_filter text NOT NULL DEFAULT '',
                    next_offset bigint NOT NULL,
                    PRIMARY KEY (topic, partition, reason_filter)
                )
                """)
        }
    }

    func nextOffsets(for partitions: [KafkaTopicPartition], in connection: PostgresConnection) throws -> [KafkaTopicPartition: Int64] {
        let wanted = partitions.filter { $0.topic == topic }.map { Int($0.partition) }
        guard !wanted.isEmpty else { return [:] }
        var result: [KafkaTopicPartition: Int64] = [:]
        for row in try connection.execute(
            """
            SELECT partition, next_offset FROM pipeline.redrive_offsets
            WHERE topic = $1 AND reason_filter = $2 AND partition = ANY($3::int[])
            """,
            [topic, reasonFilter, wanted]).rows
        {
            result[KafkaTopicPartition(topic: topic, partition: try row.decode(0, as: Int32.self))] =
                try row.decode(1, as: Int64.self)
        }
        return result
    }

    /// Never moves backwards: a slower member of the same group cannot undo a faster one's progress.
    func record(_ progress: [KafkaTopicPartition: Int64], in connection: PostgresConnection) throws {
        let entries = progress.filter { $0.key.topic == topic }.sorted { $0.key < $1.key }
        guard !entries.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO pipeline.redrive_offsets (topic, partition, reason_filter, next_offset)
            SELECT $1, partition, $2, next_offset FROM unnest($3::int[], $4::bigint[]) AS p(partition, next_offset)
            ON CONFLICT (topic, partition, reason_filter) DO UPDATE
            SET next_offset = greatest(pipeline.redrive_offsets.next_offset, EXCLUDED.next_offset)
            """,
            [topic, reasonFilter, entries.map { Int($0.key.partition) }, entries.map(\.value)])
    }

    func hasReached(_ highWatermarks: [KafkaTopicPartition: Int64], in connection: PostgresConnection) throws -> Bool {
        let pending = highWatermarks.filter { $0.value > 0 }
        guard !pending.isEmpty else { return true }
        let stored = try nextOffsets(for: Array(pending.keys), in: connection)
        return pending.allSatisfy { partition, high in (stored[partition] ?? 0) >= high }
    }
}

/// Lends the run's connection to the rebalance callback, which librdkafka calls on the polling thread.
private final class RedriveConnection: @unchecked Sendable {
    // Safe: the callback runs inside `pollBatch`, on the thread that owns the connection.
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }
}
