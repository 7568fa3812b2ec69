import Aggregation
import Foundation
import Kafka
import Logging
import Metrics
import Postgres

/// A worker of a group: stands by until it holds the group's lease, then owns every partition of
/// the consumed topics, keeps the entity state in memory and applies each batch in one transaction.
///
/// `run` is a blocking loop meant for a thread of its own (libpq and librdkafka calls block).
/// Offsets live in PostgreSQL with the aggregates and the applied ids; the owner assigns itself
/// every partition at its stored offset, so a crash anywhere neither loses nor repeats a batch,
/// and no consumer group has to settle before the first batch or after an owner died.
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
        /// How many times this worker took the lease (and loaded the state).
        public var leasesTaken = 0
        /// Batches computed ahead whose transaction failed: the state was reloaded and the batch
        /// applied alone (a message PostgreSQL refuses, a passing failure).
        public var reloads = 0
        /// Time the owner's thread waited for the broker: polling with nothing yet fetched.
        public var waitingForMessages: Duration = .zero
        /// Time the owner's thread waited for a running batch's transaction to end.
        public var waitingForCommits: Duration = .zero
    }

    /// Stands by for the lease and, holding it, consumes until `shouldStop` returns true or, with
    /// `untilCaughtUp`, until every partition is applied up to the high watermark seen at start.
    /// Losing the lease (another worker took over, or a rebuild swapped the tables) sends it back
    /// to standing by, its memory dropped.
    public func run(
        shouldStop: @escaping @Sendable () -> Bool = { false }, afterBatch: (Summary) -> Void = { _ in }
    ) throws -> Summary {
        let connection = try PostgresConnection(connectionString: configuration.databaseURL, logger: logger)
        defer { connection.close() }
        let lease = try WorkerLease(
            connectionString: configuration.databaseURL, schema: configuration.stateSchema,
            groupID: configuration.groupID, logger: logger)
        defer { lease.release() }
        let metrics = WorkerMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
        let admin = try KafkaAdmin(configuration: configuration.kafka, logger: logger)
        var highWatermarks: [KafkaTopicPartition: Int64] = [:]
        if configuration.untilCaughtUp {
            highWatermarks = try readWatermarks(of: configuration.consumedTopics, admin: admin).mapValues(\.high)
        }
        let deadLetterProducer = try KafkaProducer(configuration: configuration.kafka, logger: logger)
        defer { try? deadLetterProducer.flush(timeout: .seconds(10)) }

        var summary = Summary()
        while !shouldStop() {
            do {
                metrics.recordLease(epoch: 0)
                guard try lease.acquire(shouldStop: shouldStop) else { break }
                summary.leasesTaken += 1
                metrics.recordLease(epoch: lease.epoch ?? 0)
                try own(
                    lease: lease, connection: connection, admin: admin, highWatermarks: highWatermarks,
                    deadLetterProducer: deadLetterProducer, metrics: metrics, summary: &summary,
                    shouldStop: shouldStop, afterBatch: afterBatch)
                break
            } catch let lost as LeaseLost {
                logger.warning("standing by: \(lost)", metadata: ["group": "\(configuration.groupID)"])
            } catch let error as PostgresError where error.isRetriable {
                // The server is restarting, longer than a connection's own reconnect waits: try again.
                logger.warning("database unavailable: retrying", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 1)
            }
        }
        metrics.recordLease(epoch: 0)
        return summary
    }

    /// How often an idle owner checks its lease, new partitions and the stored offsets.
    static let idleCheckInterval: Duration = .seconds(2)
    /// The same while batches keep coming (see the loop in `own`).
    static let busyCheckInterval: Duration = .seconds(30)

    /// Consumes while this worker holds the lease: loads the state, assigns itself every partition
    /// at its stored offset, and applies batches until stopped or caught up; throws `LeaseLost`.
    private func own(
        lease: WorkerLease, connection: PostgresConnection, admin: KafkaAdmin,
        highWatermarks: [KafkaTopicPartition: Int64], deadLetterProducer: KafkaProducer, metrics: WorkerMetrics,
        summary: inout Summary, shouldStop: @escaping @Sendable () -> Bool, afterBatch: (Summary) -> Void
    ) throws {
        let offsets = OffsetStore(groupID: configuration.groupID, schema: configuration.stateSchema)
        let applier = BatchApplier(
            offsets: offsets, topics: configuration.topics, projects: configuration.projects,
            attributionRules: configuration.attributionRules, lease: lease,
            stateSnapshotInterval: configuration.stateSnapshotInterval)
        let compactor = LogCompactor(databaseURL: configuration.databaseURL, schema: configuration.stateSchema, logger: logger)
        applier.store.logCompactor = compactor
        applier.store.foldLimits = SummedLog.FoldLimits(
            batches: configuration.sumsFoldBatches, elements: configuration.sumsFoldElements)
        defer { compactor.finish() }
        let loadStarted = ContinuousClock.now
        try applier.loadState(connection, databaseURL: configuration.databaseURL)
        let batchesBeforeThisLease = summary.batches
        logger.info("state loaded", metadata: [
            "users": "\(applier.store.users.count)", "orders": "\(applier.store.orders.count)",
            "applied_ids": "\(applier.applied.count)", "seconds": "\(loadStarted.duration(to: .now))"])
        if configuration.untilCaughtUp {
            try recordEmptiedPartitions(
                try readWatermarks(of: configuration.consumedTopics, admin: admin), offsets: offsets,
                connection: connection, metrics: metrics)
        }

        let consumer = try KafkaConsumer(
            configuration: configuration.consumerKafka, groupID: configuration.groupID,
            sessionTimeoutMilliseconds: configuration.sessionTimeoutMilliseconds,
            rebalance: KafkaRebalanceHandler(onAssign: { _ in [:] }, onRevoke: { _ in }), logger: logger)
        defer { consumer.close() }
        try assignNewPartitions(consumer: consumer, admin: admin, offsets: offsets, connection: connection)

        var acceptedGaps: Set<OffsetGap.Position> = []
        // Where this consumer stands in each partition it applied: compared now and then with the
        // stored offsets (`rewindToStoredOffsets`).
        var positions: [KafkaTopicPartition: Int64] = [:]
        var lastCheck = ContinuousClock.now
        // The next batch, taken from librdkafka's queue and decoded on another thread while the
        // current batch's transaction runs: decoding was a serial share of every batch.
        var prefetched: [DecodedMessage] = []
        var ramp = BatchRamp(first: configuration.firstBatchMessages, maximum: configuration.maxBatchMessages)
        // The batch whose transaction runs on `committer` while this thread computes the next one
        // against the memory, which already holds the running batch's changes. Every other use of
        // `connection` waits for it first (`settle`).
        var running: RunningCommit?
        // The stored offsets once every batch computed so far commits: what the next batch is
        // computed against, and what its transaction checks.
        var expected = try offsets.nextOffsets(for: consumer.assignment, in: connection)
        try applier.knownContacts.check(schema: configuration.stateSchema, in: connection)
        let committer = DispatchQueue(label: "worker-commit")
        let publish: ([DeadLetter]) throws -> Void = { letters in
            guard !letters.isEmpty else { return }
            _ = try deadLetterProducer.sendAndWait(
                letters.map { $0.outgoing(to: self.configuration.topics.deadLetter) }, timeout: .seconds(30))
        }

        func record(_ outcome: BatchApplier.Outcome, batch: [DecodedMessage], started: ContinuousClock.Instant) {
            var perTopic: [String: Int] = [:]
            for run in BatchApplier.partitionRuns(of: batch) {
                positions[run.partition] = max(positions[run.partition] ?? 0, run.highestOffset + 1)
                perTopic[run.partition.topic, default: 0] += run.indices.count
            }
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

        /// Applies a batch alone, the way that isolates what PostgreSQL refuses and retries what
        /// passes; re-reads the partitions of a gap. Returns false if it had to seek.
        func applyCarefully(_ batch: [DecodedMessage]) throws -> Bool {
            let started = ContinuousClock.now
            let outcome: BatchApplier.Outcome
            do {
                outcome = try applyIsolating(
                    batch, applier: applier, acceptedGaps: acceptedGaps, connection: connection, publish: publish)
            } catch let gap as OffsetGap {
                let stored = try offsets.nextOffsets(for: Array(gap.seekTo.keys), in: connection)
                for (partition, offset) in gap.seekTo.sorted(by: { $0.key < $1.key }) {
                    // A partition never applied has no stored row yet: it starts at 0.
                    if offset == stored[partition] ?? 0 {
                        acceptedGaps.insert(OffsetGap.Position(partition: partition, offset: offset))
                    }
                    try consumer.seek(partition, to: offset)
                    positions[partition] = offset
                }
                logger.notice("consumer ahead of the stored offsets: re-reading", metadata: ["seek": "\(gap.seekTo)"])
                expected = try offsets.nextOffsets(for: consumer.assignment, in: connection)
                return false
            }
            record(outcome, batch: batch, started: started)
            expected = try offsets.nextOffsets(for: consumer.assignment, in: connection)
            return true
        }

        /// Waits for the running batch. If its transaction failed, the memory (which holds its
        /// changes, and perhaps those of the batch computed since) is read again from the tables and
        /// the batch applied carefully, the way that isolates a message PostgreSQL refuses or
        /// retries a passing failure.
        @discardableResult
        func settle() throws -> Settled {
            guard let commit = running else { return .clean }
            running = nil
            let waitStarted = ContinuousClock.now
            let result = commit.wait()
            summary.waitingForCommits += waitStarted.duration(to: .now)
            switch result {
            case .success(let outcome):
                record(outcome, batch: commit.batch, started: commit.started)
                commit.releaseBatch()
                return .clean
            case .failure(let error):
                if error is LeaseLost { throw error }
                logger.notice("a batch computed ahead failed: reloading the state and applying it alone",
                              metadata: ["error": "\(error)"])
                summary.reloads += 1
                metrics.recordReload()
                try applier.loadState(connection, databaseURL: configuration.databaseURL)
                applier.knownContacts.reset()
                try applier.knownContacts.check(schema: configuration.stateSchema, in: connection)
                expected = try offsets.nextOffsets(for: consumer.assignment, in: connection)
                return try applyCarefully(commit.batch) ? .reloaded : .seeked
            }
        }

        defer { _ = running?.wait() }
        while !shouldStop() {
            if configuration.untilCaughtUp, running == nil || Self.covers(expected, highWatermarks) {
                try settle()
                if try offsets.hasReached(highWatermarks, in: connection) { break }
            }
            // The lease, new partitions and a rebuild's rewind are checked every 2 s while idle, but
            // only every 30 s while a batch is running: the check needs the connection, so it waits
            // for the running transaction and leaves PostgreSQL idle while the next batch is computed
            // (a sixth of its time at a check every 2 s). Under load each commit checks the lease and
            // the offsets it was computed against anyway, and fails over to the careful path.
            if ContinuousClock.now - lastCheck > (running == nil ? Self.idleCheckInterval : Self.busyCheckInterval) {
                try settle()
                lastCheck = .now
                guard try lease.stillHeld() else { throw LeaseLost(reason: "the lock's session was reset") }
                try assignNewPartitions(consumer: consumer, admin: admin, offsets: offsets, connection: connection)
                if try rewindToStoredOffsets(&positions, consumer: consumer, offsets: offsets, connection: connection) {
                    prefetched = []
                }
                expected = try offsets.nextOffsets(for: consumer.assignment, in: connection)
            }
            // A snapshot due when the lease was taken (the last owner stopped past the threshold)
            // waits for the first batch, so that a new owner applies something within a second: with
            // the id logs' compaction (`SetLogs`) a snapshot takes about one at a million users.
            if applier.store.stateLog.snapshotDue, running != nil || summary.batches > batchesBeforeThisLease {
                // The memory must hold committed batches only: the snapshot replaces the log with it.
                try settle()
                do {
                    try applier.store.snapshotIfDue(lease: lease, connection)
                } catch let error as PostgresError where error.code != .connection {
                    // Nothing is lost: the rows stay, and the snapshot is tried again after the next batch.
                    logger.warning("state log snapshot failed", metadata: ["error": "\(error)"])
                }
            }
            if rates == nil || ratesLoadedAt.duration(to: .now) > .seconds(30) {
                try settle()
                rates = try FxRateStore().load(in: connection)
                ratesLoadedAt = .now
            }
            var batch = prefetched
            prefetched = []
            if batch.count < ramp.current {
                // Wait for messages only when nothing is carried over: a carried batch goes at once.
                let pollStarted = ContinuousClock.now
                let more = batch.isEmpty
                    ? try consumer.pollBatch(maxMessages: ramp.current, timeout: configuration.maxBatchWait)
                    : try consumer.pollQueued(maxMessages: ramp.current - batch.count)
                if batch.isEmpty { summary.waitingForMessages += pollStarted.duration(to: .now) }
                batch += BatchApplier.decodeAll(more)
            }
            if !batch.isEmpty { ramp.grow() }
            // The next batch, decoded on another thread while this one is applied.
            let queued = try consumer.pollQueued(maxMessages: ramp.current)
            let next = queued.isEmpty ? BackgroundWork(finished: []) : BackgroundWork { BatchApplier.decodeAll(queued) }
            guard !batch.isEmpty else {
                try settle()
                prefetched = next.wait()
                continue
            }
            let started = ContinuousClock.now
            let prepared = applier.prepare(batch, rates: rates!, stored: expected)
            if !Self.canRunAhead(batch, prepared: prepared, expected: expected) {
                // A gap, or a rate that may have been imported since: the careful way, alone.
                var settled = try settle()
                if settled == .clean, !(try applyCarefully(batch)) { settled = .seeked }
                let decoded = next.wait()
                switch settled {
                case .clean: prefetched = decoded
                // Not applied: it comes again, with what was read after it, in order.
                case .reloaded: prefetched = batch + decoded
                // The consumer moved back: what was read is stale.
                case .seeked: prefetched = []
                }
                continue
            }
            expected.merge(prepared.nextOffsets) { max($0, $1) }
            switch try settle() {
            case .clean: break
            case .reloaded:
                // The memory was read again: compute this batch again against it.
                prefetched = batch + next.wait()
                continue
            case .seeked:
                _ = next.wait()
                continue
            }
            running = RunningCommit(batch: batch, started: started, on: committer) {
                try self.commitAhead(prepared, applier: applier, connection: connection, publish: publish)
            }
            // The batch's changes go into the memory while its transaction runs, before the next
            // batch is computed against it. (Before the transaction started, this delayed its start
            // whenever the previous one had ended first: PostgreSQL waited.) The transaction reads
            // only `prepared`; if it fails, `settle` reads the memory again from the tables.
            applier.committed(prepared.outcome)
            prefetched = next.wait()
        }
        try settle()
    }

    /// Assigns the consumer every partition of the consumed topics it does not have yet, each at its
    /// stored offset (none stored: the earliest the broker has); topics and partitions created
    /// later are picked up by the next call.
    private func assignNewPartitions(
        consumer: KafkaConsumer, admin: KafkaAdmin, offsets: OffsetStore, connection: PostgresConnection
    ) throws {
        let existing = try admin.listTopics(timeout: .seconds(10))
        let assigned = Set(consumer.assignment)
        var missing: [KafkaTopicPartition] = []
        for topic in configuration.consumedTopics {
            for partition in 0..<(existing[topic] ?? 0) {
                let candidate = KafkaTopicPartition(topic: topic, partition: partition)
                if !assigned.contains(candidate) { missing.append(candidate) }
            }
        }
        guard !missing.isEmpty else { return }
        let stored = try offsets.nextOffsets(for: missing, in: connection)
        try consumer.assign(Dictionary(uniqueKeysWithValues: missing.map { ($0, stored[$0]) }))
        logger.info("partitions assigned", metadata: ["count": "\(missing.count)"])
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

    private func readWatermarks(of topics: [String], admin: KafkaAdmin) throws -> [KafkaTopicPartition: Watermarks] {
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
