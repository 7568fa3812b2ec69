import CRdKafka
import Logging

/// A consumer-group member; used from one thread at a time (not shared).
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
        config.withPointer { rd_kafka_conf_set_rebalance_cb($0, rdKafkaRebalanceCallback) }
        let context = RDKafkaClientContext(logger: logger)
        state = RDKafkaConsumerState(handler: rebalance)
        context.consumerState = state
        client = try RDKafkaClient(kind: .consumer, config: config, context: context, keepAlive: configuration.keepAlive)
        // One queue for messages, rebalances and errors, so everything is served by pollBatch on the caller's thread.
        rd_kafka_poll_set_consumer(client.handle)
    }

    deinit {
        close()
    }

    public func subscribe(topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(KafkaTopicPartition(topic: topic, partition: -1), offset: -1001)  // RD_KAFKA_PARTITION_UA, RD_KAFKA_OFFSET_INVALID
        }
        let result = rd_kafka_subscribe(client.handle, list.pointer)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(result, client: client.handle, topic: topics.joined(separator: ","))
        }
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

        while state.batch.count < maxMessages {
            let remaining = clock.now.duration(to: deadline)
            if waiting && remaining <= .zero && !state.batch.isEmpty { break }
            // Once something arrived, wait only a moment for more: a fetch response is parsed into the queue one
            // message at a time, so an immediate empty poll would cut batches short.
            let wait: Int32 = !waiting ? 0
                : state.batch.isEmpty ? remaining.clampedMilliseconds : min(remaining.clampedMilliseconds, 10)
            let polled = rd_kafka_consumer_poll(client.handle, wait)
            if let error = state.pendingError {
                state.pendingError = nil
                if let polled { rd_kafka_message_destroy(polled) }
                throw error
            }
            guard let polled else {
                if !state.batch.isEmpty || remaining <= .zero { break }
                continue
            }
            defer { rd_kafka_message_destroy(polled) }
            let err = polled.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                state.batch.append(Self.message(from: polled))
            } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            } else {
                let error = KafkaError.from(
                    err, client: client.handle,
                    topic: polled.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) },
                    partition: polled.pointee.partition,
                    message: rd_kafka_message_errstr(polled).map { String(cString: $0) })
                if error.isFatal { throw error }
                logger.warning("consumer error", metadata: ["error": "\(error)", "detail": "\(error.debugDescription)"])
            }
        }
        return state.batch.filter { state.assignment.contains($0.topicPartition) }
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
        let list = RDKafkaTopicPartitionList(capacity: 1)
        list.add(partition, offset: offset)
        if let error = rd_kafka_seek_partitions(client.handle, list.pointer, 10_000) {
            throw KafkaError.consuming(error, topic: partition.topic)
        }
        if let (_, _, code) = RDKafkaTopicPartitionList.elements(of: list.pointer).first, code != .noError {
            throw KafkaError(code: code, topic: partition.topic, partition: partition.partition, message: "seek failed")
        }
    }

    /// Leaves the group (revoking the assignment through the rebalance handler); also done in deinit if not closed.
    public func close() {
        guard !closed else { return }
        closed = true
        let result = rd_kafka_consumer_close(client.handle)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("consumer close failed", metadata: ["error": "\(KafkaError.from(result))"])
        }
        state.assignment = []
    }

    private static func message(from polled: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage {
        let raw = polled.pointee
        let value = raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        let key = raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(polled, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        return KafkaMessage(
            topic: raw.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: raw.partition, offset: raw.offset, key: key, value: value, headers: headers)
    }
}
