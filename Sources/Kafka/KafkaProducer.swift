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
    private var preparedTopics: [RDKafkaTopicHandle] = []
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
        config.setDeliveryReportCallback()
        client = try RDKafkaClient(kind: .producer, config: config, context: RDKafkaClientContext(logger: logger), keepAlive: configuration.keepAlive)
        poller = RDKafkaPollThread(client: client)
        poller.start()
    }

    deinit {
        preparedTopics.removeAll()
        poller.stop()
        // Fail (rather than leak) what is still queued; the reports go to nobody if their senders gave up.
        client.purgeAll()
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
            let handle = try RDKafkaTopicHandle(client: client, topic: topic)
            preparedTopicsLock.withLock { preparedTopics.append(handle) }
            partitions.merge(try client.partitionCounts(of: handle, timeout: timeout)) { $1 }
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
        try client.flush(timeout: timeout)
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

        guard let kafkaError = client.produce(message, opaque: token) else { return nil }
        // Not enqueued: librdkafka did not take our completion token over.
        Unmanaged<RDKafkaDeliveryCompletion>.fromOpaque(token).release()
        logger.debug("produce rejected locally", metadata: ["error": "\(kafkaError)"])
        return kafkaError
    }
}
