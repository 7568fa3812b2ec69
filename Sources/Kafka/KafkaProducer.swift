import CRdKafka
import Foundation
import Logging

/// An idempotent (acks=all) producer whose sends complete when the broker's delivery report arrives.
///
/// Delivery reports are served by a dedicated thread, so the async `send` never blocks the cooperative pool.
/// Call `flush(timeout:)` before dropping the last reference: deinit purges whatever is still undelivered.
// @unchecked Sendable: the state is the librdkafka handle (thread-safe for produce/poll/flush/purge/metadata),
// the poll thread object, which synchronises itself, and the prepared topic handles, guarded by their lock.
public final class KafkaProducer: @unchecked Sendable {
    private let client: RDKafkaClient
    private let poller: RDKafkaPollThread
    private let logger: Logger
    /// Topic handles taken by `prepare(topics:timeout:)`, held so librdkafka keeps what it learnt about them.
    private var preparedTopics: [OpaquePointer] = []
    private let preparedTopicsLock = NSLock()

    /// enable.idempotence=true, acks=all, linger.ms configurable (default 5), plus configuration.properties.
    /// `deliveryTimeoutMilliseconds` bounds how long a message may wait (retries included) before it fails.
    public init(configuration: KafkaConfiguration, lingerMilliseconds: Int = 5, deliveryTimeoutMilliseconds: Int = 30_000, logger: Logger) throws {
        self.logger = logger
        let config = RDKafkaConfig()
        try config.apply(
            defaults: [
                ("enable.idempotence", "true"),
                ("acks", "all"),
                ("linger.ms", String(lingerMilliseconds)),
                ("delivery.timeout.ms", String(deliveryTimeoutMilliseconds)),
                // Requests are small and pipelined (up to 5 in flight): Nagle would hold one back until the
                // previous one is acknowledged, adding latency for no saving on a broker link.
                ("socket.nagle.disable", "true"),
            ],
            configuration: configuration)
        config.withPointer { rd_kafka_conf_set_dr_msg_cb($0, rdKafkaDeliveryCallback) }
        client = try RDKafkaClient(kind: .producer, config: config, context: RDKafkaClientContext(logger: logger), keepAlive: configuration.keepAlive)
        poller = RDKafkaPollThread(client: client)
        poller.start()
    }

    deinit {
        preparedTopics.forEach { rd_kafka_topic_destroy($0) }
        poller.stop()
        // Fail (rather than leak) what is still queued; the reports go to nobody if their senders gave up.
        rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(client.handle, 0)
    }

    /// Fetches these topics' metadata (partitions and leaders) through this producer before anything is sent.
    ///
    /// Otherwise the first message to each topic waits for librdkafka's once-a-second scan of topics it knows
    /// nothing about: a server that answers only after delivery held its first requests ~1 s.
    /// Blocks up to `timeout` per topic; call it off the cooperative pool.
    /// - Returns: the partition count of each topic.
    @discardableResult
    public func prepare(topics: [String], timeout: Duration) throws -> [String: Int32] {
        var partitions: [String: Int32] = [:]
        for topic in topics {
            guard let handle = rd_kafka_topic_new(client.handle, topic, nil) else {
                throw KafkaError.from(rd_kafka_last_error(), client: client.handle, topic: topic, message: "topic handle refused")
            }
            preparedTopicsLock.withLock { preparedTopics.append(handle) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let result = rd_kafka_metadata(client.handle, 0, handle, &metadata, timeout.clampedMilliseconds)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                throw KafkaError.from(result, client: client.handle, topic: topic, message: "metadata request failed")
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            for index in 0..<Int(metadata.pointee.topic_cnt) {
                let entry = metadata.pointee.topics[index]
                guard String(cString: entry.topic) == topic else { continue }
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(entry.err, topic: topic) }
                partitions[topic] = entry.partition_cnt
            }
        }
        return partitions
    }

    /// Completes when the delivery report arrives; throws KafkaError if not delivered (or if the local queue is full:
    /// that error has `isRetriable == true` and code `.queueFull`).
    public func send(_ message: KafkaOutgoingMessage) async throws -> KafkaDeliveryReport {
        try await send([message])[0]
    }

    /// Sends all, awaits all reports; throws the first error (after all reports arrived).
    public func send(_ messages: [KafkaOutgoingMessage]) async throws -> [KafkaDeliveryReport] {
        guard !messages.isEmpty else { return [] }
        let batch = RDKafkaDeliveryBatch(count: messages.count)
        for (index, message) in messages.enumerated() {
            if let error = enqueue(message, batch: batch, index: index) {
                batch.complete(index, with: .failure(error))
            }
        }
        return try Self.unwrap(await batch.wait())
    }

    /// Blocking variant for plain threads (CLI, worker thread): enqueues all, waits for every report up to timeout.
    /// A full local queue is waited out (until the deadline) instead of failing. Throws `.timedOut` when reports are
    /// still missing at the deadline (those messages may still be delivered later).
    public func sendAndWait(_ messages: [KafkaOutgoingMessage], timeout: Duration) throws -> [KafkaDeliveryReport] {
        guard !messages.isEmpty else { return [] }
        let deadline = Date(timeIntervalSinceNow: Double(timeout.clampedMilliseconds) / 1000)
        let batch = RDKafkaDeliveryBatch(count: messages.count)
        for (index, message) in messages.enumerated() {
            while let error = enqueue(message, batch: batch, index: index) {
                if error.code == .queueFull && Date() < deadline {
                    // The poll thread is draining reports; give it a moment to free queue space.
                    Thread.sleep(forTimeInterval: 0.01)
                    continue
                }
                batch.complete(index, with: .failure(error))
                break
            }
        }
        guard let outcomes = batch.wait(until: deadline) else {
            throw KafkaError(code: .timedOut, isRetriable: true, message: "delivery reports still missing after \(timeout)")
        }
        return try Self.unwrap(outcomes)
    }

    /// Blocking flush with timeout (for shutdown); throws KafkaError on timeout.
    public func flush(timeout: Duration) throws {
        let result = rd_kafka_flush(client.handle, timeout.clampedMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaErrorCode(result), isRetriable: true,
                message: "\(rd_kafka_outq_len(client.handle)) messages or requests still outstanding")
        }
    }

    private static func unwrap(_ outcomes: [RDKafkaDeliveryBatch.Outcome]) throws -> [KafkaDeliveryReport] {
        var reports: [KafkaDeliveryReport] = []
        reports.reserveCapacity(outcomes.count)
        for outcome in outcomes {
            reports.append(try outcome.get())
        }
        return reports
    }

    /// Hands one message to librdkafka (which copies the bytes); nil on success.
    private func enqueue(_ message: KafkaOutgoingMessage, batch: RDKafkaDeliveryBatch, index: Int) -> KafkaError? {
        let completion = RDKafkaDeliveryCompletion { [batch] outcome in batch.complete(index, with: outcome) }
        let token = Unmanaged.passRetained(completion).toOpaque()

        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                header.value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                }
            }
        }

        let error: OpaquePointer? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    var vus: [rd_kafka_vu_t] = []
                    var vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_TOPIC
                    vu.u.cstr = topic
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_PARTITION
                    vu.u.i32 = message.partition ?? -1  // RD_KAFKA_PARTITION_UA: let the partitioner decide.
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    vu.u.i = Int32(RD_KAFKA_MSG_F_COPY)  // Our buffers die when this call returns.
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_VALUE
                    vu.u.mem.ptr = value.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    vu.u.mem.size = value.count
                    vus.append(vu)

                    if let key {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_KEY
                        vu.u.mem.ptr = key.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                        vu.u.mem.size = key.count
                        vus.append(vu)
                    }

                    if let headers {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_HEADERS
                        vu.u.headers = headers
                        vus.append(vu)
                    }

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                    vu.u.ptr = token
                    vus.append(vu)

                    return rd_kafka_produceva(client.handle, vus, vus.count)
                }
            }
        }

        guard let error else { return nil }
        // Not enqueued: librdkafka took ownership of neither the headers nor our completion token.
        if let headers { rd_kafka_headers_destroy(headers) }
        Unmanaged<RDKafkaDeliveryCompletion>.fromOpaque(token).release()
        let kafkaError = KafkaError.consuming(error, topic: message.topic)
        logger.debug("produce rejected locally", metadata: ["error": "\(kafkaError)"])
        return kafkaError
    }
}

/// Lends the bytes of an optional key, keeping nil (no key) distinct from an empty key.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
