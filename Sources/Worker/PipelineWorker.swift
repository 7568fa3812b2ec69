import Aggregation
import Foundation
import Kafka
import Logging
import Metrics
import Postgres

/// A member of the worker consumer group: polls batches and applies each in one transaction.
///
/// `run` is a blocking loop meant for a thread of its own (libpq and librdkafka calls block).
/// Offsets live in PostgreSQL with the aggregates; on assignment the consumer seeks to them,
/// so a crash anywhere neither loses nor repeats a batch.
///
/// This file is the loop; applying one batch is in `PipelineWorker+Isolation.swift`, and keeping
/// the consumer in line with the stored offsets in `PipelineWorker+Rewind.swift`.
public final class PipelineWorker {
    public let configuration: WorkerConfiguration
    let logger: Logger
    // The rates in use, reloaded every 30 s and when one seems missing (PipelineWorker+Isolation.swift).
    var rates: FxRates?
    var ratesLoadedAt = ContinuousClock.now

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Totals of one run, for the operator and for tests.
    public struct Summary: Sendable, Equatable {
        public var batches = 0
        public var messages = 0
        public var applied = 0
        public var duplicates = 0
        public var alreadyApplied = 0
        public var deadLetters = 0
    }

    /// Consumes until `shouldStop` returns true or, with `untilCaughtUp`, until every partition
    /// is applied up to the high watermark seen at start.
    public func run(
        shouldStop: @escaping @Sendable () -> Bool = { false }, afterBatch: (Summary) -> Void = { _ in }
    ) throws -> Summary {
        let connection = ThreadConfined(try PostgresConnection(
            connectionString: configuration.databaseURL, logger: logger))
        let offsets = OffsetStore(groupID: configuration.groupID, schema: configuration.stateSchema)
        let applier = BatchApplier(
            offsets: offsets, topics: configuration.topics, projects: configuration.projects,
            attributionRules: configuration.attributionRules)
        let topics = configuration.consumedTopics
        let metrics = WorkerMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
        var highWatermarks: [KafkaTopicPartition: Int64] = [:]
        if configuration.untilCaughtUp {
            let marks = try readWatermarks(of: topics)
            highWatermarks = marks.mapValues(\.high)
            try recordEmptiedPartitions(marks, offsets: offsets, connection: connection.value, metrics: metrics)
        }
        let deadLetterProducer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
        let logger = self.logger

        let consumer = try KafkaConsumer(
            configuration: configuration.consumerKafka,
            groupID: configuration.groupID,
            sessionTimeoutMilliseconds: configuration.sessionTimeoutMilliseconds,
            rebalance: KafkaRebalanceHandler(
                onAssign: { partitions in
                    let stored = try offsets.nextOffsets(for: partitions, in: connection.value)
                    logger.info("partitions assigned", metadata: ["count": "\(partitions.count)"])
                    for partition in partitions {
                        logger.debug("partition assigned", metadata: [
                            "topic": "\(partition.topic)", "partition": "\(partition.partition)",
                            "offset": "\(stored[partition] ?? 0)"])
                    }
                    return stored
                },
                onRevoke: { partitions in
                    logger.info("partitions revoked", metadata: ["count": "\(partitions.count)"])
                }),
            logger: logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: topics)

        var summary = Summary()
        var acceptedGaps: Set<OffsetGap.Position> = []
        // Where this consumer stands in each partition it applied: compared now and then with the
        // stored offsets, which move back only when a rebuild's tables were swapped in.
        var positions: [KafkaTopicPartition: Int64] = [:]
        var lastPositionCheck = ContinuousClock.now
        // The next batch, taken from librdkafka's queue and decoded on another thread while the
        // current batch's transaction runs: decoding was a serial share of every batch.
        var prefetched: [DecodedMessage] = []
        while !shouldStop() {
            if configuration.untilCaughtUp, try offsets.hasReached(highWatermarks, in: connection.value) {
                break
            }
            if ContinuousClock.now - lastPositionCheck > .seconds(2) {
                lastPositionCheck = .now
                if try rewindToStoredOffsets(&positions, consumer: consumer, offsets: offsets, connection: connection.value) {
                    prefetched = []
                }
            }
            var batch = prefetched
            prefetched = []
            if batch.count < configuration.maxBatchMessages {
                // Wait for messages only when nothing is carried over: a carried batch goes at once.
                let more = batch.isEmpty
                    ? try consumer.pollBatch(maxMessages: configuration.maxBatchMessages, timeout: configuration.maxBatchWait)
                    : try consumer.pollQueued(maxMessages: configuration.maxBatchMessages - batch.count)
                batch += BatchApplier.decodeAll(more)
            }
            // Polled now, between transactions, since a rebalance callback may use the connection.
            let next = BackgroundDecoding(try consumer.pollQueued(maxMessages: configuration.maxBatchMessages))
            // As with a single poll, only partitions still assigned are applied: a rebalance during
            // the polls above may have revoked some (their stored offsets say where to resume).
            let assigned = Set(consumer.assignment)
            batch.removeAll { !assigned.contains(KafkaTopicPartition(topic: $0.message.topic, partition: $0.message.partition)) }
            guard !batch.isEmpty else {
                prefetched = next.wait()
                continue
            }
            let started = ContinuousClock.now
            let outcome: BatchApplier.Outcome
            do {
                outcome = try applyIsolating(
                    batch, applier: applier, acceptedGaps: acceptedGaps, connection: connection.value
                ) { letters in
                    guard !letters.isEmpty else { return }
                    _ = try deadLetterProducer.sendAndWait(
                        letters.map { $0.outgoing(to: self.configuration.topics.deadLetter) }, timeout: .seconds(30))
                }
            } catch let gap as OffsetGap {
                _ = next.wait() // read before the seek: stale
                let stored = try offsets.nextOffsets(for: Array(gap.seekTo.keys), in: connection.value)
                for (partition, offset) in gap.seekTo.sorted(by: { $0.key < $1.key }) {
                    // A partition never applied has no stored row yet: it starts at 0.
                    if offset == stored[partition] ?? 0 {
                        acceptedGaps.insert(OffsetGap.Position(partition: partition, offset: offset))
                    }
                    try consumer.seek(partition, to: offset)
                    positions[partition] = offset
                }
                logger.notice("consumer ahead of the stored offsets: re-reading", metadata: ["seek": "\(gap.seekTo)"])
                continue
            }
            prefetched = next.wait()
            let messages = batch.map(\.message)
            for message in messages {
                let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
                positions[partition] = max(positions[partition] ?? 0, message.offset + 1)
            }
            var perTopic: [String: Int] = [:]
            for message in messages { perTopic[message.topic, default: 0] += 1 }
            metrics.record(outcome, messagesPerTopic: perTopic, duration: ContinuousClock.now - started)
            summary.batches += 1
            summary.messages += outcome.messages
            summary.applied += outcome.applied
            summary.duplicates += outcome.duplicates
            summary.alreadyApplied += outcome.alreadyApplied
            summary.deadLetters += outcome.deadLetters.count
            afterBatch(summary)
            reportLost(outcome.lostRanges, metrics: metrics)
            for letter in outcome.deadLetters {
                logger.warning("dead letter", metadata: [
                    "project": "\(letter.project ?? "")",
                    "topic": "\(letter.message.topic)", "partition": "\(letter.message.partition)",
                    "offset": "\(letter.message.offset)", "reason": "\(letter.reason)"])
            }
        }
        try? deadLetterProducer.flush(timeout: .seconds(10))
        return summary
    }

    /// How many messages the consumed topics hold now (high minus low watermarks).
    public func messagesToRead() throws -> Int {
        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let existing = try admin.listTopics(timeout: .seconds(10))
        var total: Int64 = 0
        for topic in configuration.consumedTopics {
            for partition in 0..<(existing[topic] ?? 0) {
                let marks = try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10))
                total += marks.high - marks.low
            }
        }
        return Int(total)
    }

    private func readWatermarks(of topics: [String]) throws -> [KafkaTopicPartition: Watermarks] {
        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        let existing = try admin.listTopics(timeout: .seconds(10))
        var result: [KafkaTopicPartition: Watermarks] = [:]
        for topic in topics {
            for partition in 0..<(existing[topic] ?? 0) {
                let marks = try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10))
                result[KafkaTopicPartition(topic: topic, partition: partition)] = Watermarks(low: marks.low, high: marks.high)
            }
        }
        return result
    }
}

/// A batch decoded on another thread while the current batch is applied.
private final class BackgroundDecoding: @unchecked Sendable {
    // Safe: `decoded` is written once on the decoding thread before `done` is signalled, and
    // read only after `wait` took that signal.
    private let done = DispatchSemaphore(value: 0)
    private var decoded: [DecodedMessage] = []

    init(_ messages: [KafkaMessage]) {
        guard !messages.isEmpty else {
            done.signal()
            return
        }
        DispatchQueue.global().async {
            self.decoded = BatchApplier.decodeAll(messages)
            self.done.signal()
        }
    }

    /// The decoded batch, once decoding finished; call once.
    func wait() -> [DecodedMessage] {
        done.wait()
        return decoded
    }
}

/// Lends a thread-bound object to closures that librdkafka calls back on that same thread.
final class ThreadConfined<Value>: @unchecked Sendable {
    // Safe: the rebalance callback runs inside `pollBatch`, on the thread that owns the value,
    // and nothing else touches it concurrently.
    let value: Value
    init(_ value: Value) { self.value = value }
}
