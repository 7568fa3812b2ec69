import Logging

/// A consumer-group member, or a consumer of partitions it assigns itself; used from one thread at a time (not shared).
///
/// Offsets are never committed to Kafka: the caller stores them (e.g. in PostgreSQL, in the same transaction as the
/// results) and returns them from `KafkaRebalanceHandler.onAssign`. Every call blocks, so run it on a dedicated thread.
public final class KafkaConsumer {
    private let client: RDKafkaClient
    private let state: RDKafkaConsumerState
    private let logger: Logger
    private var closed = false

    /// enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset=earliest, session.timeout.ms as given (default 6000), eager assignment.
    public init(configuration: KafkaConfiguration, groupID: String, sessionTimeoutMilliseconds: Int = 6000, rebalance: KafkaRebalanceHandler, logger: Logger) throws {
        self.logger = logger
        let config = RDKafkaConfig()
        try config.apply(
            defaults: [
                ("group.id", groupID),
                ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"),
                ("auto.offset.reset", "earliest"),
                ("session.timeout.ms", String(sessionTimeoutMilliseconds)),
                // The heartbeat must be well inside the session timeout or short sessions flap.
                ("heartbeat.interval.ms", String(max(100, sessionTimeoutMilliseconds / 3))),
                // Eager: every rebalance revokes everything, which keeps "seek to stored offsets on assign" simple.
                ("partition.assignment.strategy", "range"),
            ],
            configuration: configuration)
        config.setRebalanceCallback()
        let context = RDKafkaClientContext(logger: logger)
        state = RDKafkaConsumerState(handler: rebalance)
        context.consumerState = state
        client = try RDKafkaClient(kind: .consumer, config: config, context: context, keepAlive: configuration.keepAlive)
        // One queue for messages, rebalances and errors, so everything is served by pollBatch on the caller's thread.
        client.routeEventsToConsumerQueue()
    }

    deinit {
        close()
    }

    public func subscribe(topics: [String]) throws {
        try client.subscribe(topics: topics)
    }

    /// Takes partitions without joining the group (manual assignment), each from its offset (nil: the
    /// earliest it has), adding to those taken before. For a consumer that never subscribes: the
    /// worker that holds the lease owns every partition, so nobody has to wait for a group to settle.
    public func assign(_ offsets: [KafkaTopicPartition: Int64?]) throws {
        guard !offsets.isEmpty else { return }
        // -2 is RD_KAFKA_OFFSET_BEGINNING.
        try client.incrementalAssign(offsets.mapValues { $0 ?? -2 })
        state.assignment.formUnion(offsets.keys)
    }

    /// Up to maxMessages or until timeout elapses; returns early once at least one message is there and the queue is
    /// momentarily empty. Messages are returned only for partitions still assigned when the call returns (a rebalance
    /// during the call drops messages of revoked partitions). Partition EOF and transient errors are not returned as
    /// messages; transient errors are logged; fatal errors (and an error thrown by `onAssign`) throw.
    public func pollBatch(maxMessages: Int, timeout: Duration) throws -> [KafkaMessage] {
        try poll(maxMessages: maxMessages, timeout: timeout, waiting: true)
    }

    /// Up to maxMessages of what librdkafka has already fetched, without waiting for more (possibly
    /// none); otherwise as `pollBatch`. For taking the next batch while the current one is applied.
    public func pollQueued(maxMessages: Int) throws -> [KafkaMessage] {
        try poll(maxMessages: maxMessages, timeout: .zero, waiting: false)
    }

    private func poll(maxMessages: Int, timeout: Duration, waiting: Bool) throws -> [KafkaMessage] {
        precondition(!closed, "pollBatch after close")
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        state.batch = []
        defer { state.batch = [] }

        polling: while state.batch.count < maxMessages {
            let remaining = clock.now.duration(to: deadline)
            if waiting && remaining <= .zero && !state.batch.isEmpty { break }
            // Once something arrived, wait only a moment for more: a fetch response is parsed into the queue one
            // message at a time, so an immediate empty poll would cut batches short.
            let wait: Int32 = !waiting ? 0
                : state.batch.isEmpty ? remaining.clampedMilliseconds : min(remaining.clampedMilliseconds, 10)
            let polled = client.consumerPoll(milliseconds: wait)
            if let error = state.pendingError {
                state.pendingError = nil
                throw error
            }
            switch polled {
            case .nothing:
                if !state.batch.isEmpty || remaining <= .zero { break polling }
            case .message(let message):
                state.batch.append(message)
            case .partitionEOF:
                continue
            case .error(let error):
                if error.isFatal { throw error }
                logger.warning("consumer error", metadata: ["error": "\(error)", "detail": "\(error.debugDescription)"])
            }
        }
        // Checked once a run of one partition's messages, not once a message.
        var kept: [KafkaMessage] = []
        kept.reserveCapacity(state.batch.count)
        for run in PartitionRun.runs(of: state.batch) where state.assignment.contains(run.partition) {
            kept += state.batch[run.indices]
        }
        return kept
    }

    /// The partitions this member currently owns, as last set by a rebalance.
    public var assignment: [KafkaTopicPartition] {
        state.assignment.sorted()
    }

    /// Seek an assigned partition (used after a failed transaction to re-read from the stored offset).
    public func seek(_ partition: KafkaTopicPartition, to offset: Int64) throws {
        guard state.assignment.contains(partition) else {
            throw KafkaError(code: .state, isRetriable: false, topic: partition.topic, partition: partition.partition, message: "partition is not assigned")
        }
        try client.seek(partition, to: offset)
    }

    /// Leaves the group (revoking the assignment through the rebalance handler); also done in deinit if not closed.
    public func close() {
        guard !closed else { return }
        closed = true
        if let error = client.closeConsumer() {
            logger.warning("consumer close failed", metadata: ["error": "\(error)"])
        }
        state.assignment = []
    }
}
