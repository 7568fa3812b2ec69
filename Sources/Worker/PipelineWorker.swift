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
public final class PipelineWorker {
    public let configuration: WorkerConfiguration
    let logger: Logger
    private var rates: FxRates?
    private var ratesLoadedAt = ContinuousClock.now

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

    /// Seeks back every assigned partition whose stored offset is behind this consumer's position:
    /// after a rebuild's swap the new tables hold less than this consumer applied to the old ones,
    /// and a partition with no new messages would otherwise never notice.
    /// Returns whether it moved any partition (then batches read before are stale).
    @discardableResult
    private func rewindToStoredOffsets(
        _ positions: inout [KafkaTopicPartition: Int64], consumer: KafkaConsumer, offsets: OffsetStore,
        connection: PostgresConnection
    ) throws -> Bool {
        let assigned = Set(consumer.assignment)
        positions = positions.filter { assigned.contains($0.key) }
        guard !positions.isEmpty else { return false }
        let stored = try offsets.nextOffsets(for: Array(positions.keys), in: connection)
        var moved = false
        for (partition, position) in positions.sorted(by: { $0.key < $1.key }) {
            guard let next = stored[partition], next < position else { continue }
            try consumer.seek(partition, to: next)
            positions[partition] = next
            moved = true
            logger.notice("stored offset behind this consumer: re-reading", metadata: [
                "topic": "\(partition.topic)", "partition": "\(partition.partition)", "from": "\(next)", "was": "\(position)"])
        }
        return moved
    }

    /// Applies a batch. If PostgreSQL refuses its data (a value out of range, a key too long for an
    /// index...), halves the batch until the message it refuses stands alone, and dead-letters
    /// that one: a single bad message must not stop the worker at every restart. If PostgreSQL
    /// runs short of shared memory or locks for it (SQLSTATE class 53: the lock table is shared by
    /// every session), applies it in halves, down to single messages retried until they pass.
    private func applyIsolating(
        _ messages: [DecodedMessage], applier: BatchApplier, acceptedGaps: Set<OffsetGap.Position>,
        connection: PostgresConnection, publish: ([DeadLetter]) throws -> Void
    ) throws -> BatchApplier.Outcome {
        do {
            return try applyWithRetry(
                messages, applier: applier, acceptedGaps: acceptedGaps, connection: connection, publish: publish)
        } catch let error as PostgresError where Self.isRefusedData(error) || Self.isShortOfResources(error) {
            if Self.isRefusedData(error) {
                guard messages.count > 1 else {
                    logger.error("PostgreSQL refused a message", metadata: ["error": "\(error)"])
                    return try connection.transaction {
                        try applier.deadLetterAlone(
                            messages[0].message, reason: "PostgreSQL refused its data: \(error)", in: connection,
                            publish: publish)
                    }
                }
            } else {
                logger.warning("PostgreSQL is short of shared memory or locks for this batch: applying it in halves",
                               metadata: ["messages": "\(messages.count)", "error": "\(error)"])
            }
            let half = messages.count / 2
            var outcome = try applyIsolating(
                Array(messages[..<half]), applier: applier, acceptedGaps: acceptedGaps, connection: connection,
                publish: publish)
            outcome.add(try applyIsolating(
                Array(messages[half...]), applier: applier, acceptedGaps: acceptedGaps, connection: connection,
                publish: publish))
            return outcome
        }
    }

    /// Data exceptions (22xxx), program limits such as an index row too large (54xxx), and values
    /// libpq cannot send: errors of one message's content, not of the database.
    static func isRefusedData(_ error: PostgresError) -> Bool {
        if error.code == .usage { return true }
        guard error.code == .query, let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("54")
    }

    /// Insufficient resources (53xxx): out of shared memory for locks (53200, "You might need to
    /// increase max_locks_per_transaction"), disk full, a configured limit. A smaller transaction
    /// needs less; the same one may pass once other sessions let go.
    static func isShortOfResources(_ error: PostgresError) -> Bool {
        error.code == .query && error.sqlState?.hasPrefix("53") == true
    }

    /// Re-runs a batch whose transaction failed for a passing reason (database restart,
    /// serialization failure, an id applied meanwhile by another worker, dead letter topic
    /// unreachable, rates imported since they were read) with a growing pause.
    private func applyWithRetry(
        _ messages: [DecodedMessage], applier: BatchApplier, acceptedGaps: Set<OffsetGap.Position>,
        connection: PostgresConnection,
        publish: ([DeadLetter]) throws -> Void
    ) throws -> BatchApplier.Outcome {
        var pause = Duration.milliseconds(100)
        var ratesChecked = false
        while true {
            do {
                if rates == nil || ratesLoadedAt.duration(to: .now) > .seconds(30) { try reloadRates(connection) }
                let outcome = try connection.transaction {
                    try applier.apply(messages, rates: rates!, acceptedGaps: acceptedGaps, in: connection, publish: { letters in
                        // A missing rate may have been imported since the rates were read: read
                        // them again and redo the batch once before dead-lettering for it.
                        if !ratesChecked, letters.contains(where: { $0.reason.hasPrefix(BatchProcessor.missingRatePrefix) }) {
                            throw RatesMayBeStale()
                        }
                        try publish(letters)
                    })
                }
                applier.knownUsers.record(outcome.users, chatActive: outcome.chatActiveUsers)
                return outcome
            } catch is RatesMayBeStale {
                ratesChecked = true
                try reloadRates(connection)
                continue
            } catch let error as PostgresError
                where error.isRetriable || error.sqlState == "23505" || (Self.isShortOfResources(error) && messages.count == 1)
            {
                // A single message short of resources cannot be split further: other sessions hold them.
                logger.warning("batch failed, retrying", metadata: ["error": "\(error)", "pause": "\(pause)"])
            } catch let error as KafkaError where error.isRetriable {
                logger.warning("dead letters not delivered, retrying", metadata: ["error": "\(error)"])
            }
            Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
            pause = min(pause * 2, .seconds(5))
        }
    }

    private func reloadRates(_ connection: PostgresConnection) throws {
        rates = try FxRateStore().load(in: connection)
        ratesLoadedAt = .now
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

    /// A partition whose every message expired past the stored offset (log start = log end) gives
    /// the consumer nothing that would reveal the gap, so a run until caught up (and a rebuild)
    /// would wait for it for ever: its lost range is recorded, and its offset moved, at start.
    private func recordEmptiedPartitions(
        _ marks: [KafkaTopicPartition: Watermarks], offsets: OffsetStore, connection: PostgresConnection,
        metrics: WorkerMetrics
    ) throws {
        let emptied = marks.filter { $0.value.isEmpty }
        guard !emptied.isEmpty else { return }
        let lost = try connection.transaction {
            let stored = try offsets.lockNextOffsets(for: emptied.keys.sorted(), in: connection)
            let lost = LostRange.emptied(emptied, stored: stored)
            try offsets.record(lost, in: connection)
            try offsets.store(Dictionary(uniqueKeysWithValues: lost.map { ($0.partition, $0.to) }), in: connection)
            return lost
        }
        reportLost(lost, metrics: metrics)
    }

    /// Says, in the log and the metrics, what the broker no longer had (already recorded).
    private func reportLost(_ ranges: [LostRange], metrics: WorkerMetrics) {
        for range in ranges {
            logger.error("messages lost: the partition's log starts past the stored offset", metadata: [
                "topic": "\(range.partition.topic)", "partition": "\(range.partition.partition)",
                "from": "\(range.from)", "to": "\(range.to)", "messages": "\(range.messages)",
                "recorded_in": "\(configuration.stateSchema).lost_ranges"])
        }
        metrics.recordLost(ranges)
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

/// Thrown inside a batch's transaction to roll it back and read the rates again.
private struct RatesMayBeStale: Error {}

/// Lends a thread-bound object to closures that librdkafka calls back on that same thread.
final class ThreadConfined<Value>: @unchecked Sendable {
    // Safe: the rebalance callback runs inside `pollBatch`, on the thread that owns the value,
    // and nothing else touches it concurrently.
    let value: Value
    init(_ value: Value) { self.value = value }
}
