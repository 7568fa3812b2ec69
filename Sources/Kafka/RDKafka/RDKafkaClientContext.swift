import Logging

/// The object behind librdkafka's `opaque` pointer: what the C callbacks need to reach Swift.
// @unchecked Sendable: `logger` is immutable and itself Sendable; `consumerState` is set once before the
// client exists and is only touched from the thread calling the consumer (the rebalance callback only runs
// inside rd_kafka_consumer_poll / rd_kafka_consumer_close on that thread).
final class RDKafkaClientContext: @unchecked Sendable {
    let logger: Logger
    var consumerState: RDKafkaConsumerState?

    init(logger: Logger) {
        self.logger = logger
    }

    var opaque: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    /// The owning client keeps the context alive for longer than the handle, so an unretained take is safe.
    static func from(_ opaque: UnsafeRawPointer?) -> RDKafkaClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}
