import CRdKafka

/// Per-message context handed to librdkafka as the message opaque and released by the delivery callback.
final class RDKafkaDeliveryCompletion: Sendable {
    let complete: @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void

    init(_ complete: @escaping @Sendable (Result<KafkaDeliveryReport, KafkaError>) -> Void) {
        self.complete = complete
    }
}

/// librdkafka's dr_msg_cb: runs on whichever thread serves the producer's queue (our poll thread, or a flush caller).
func rdKafkaDeliveryCallback(_ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let token = message.pointee._private else { return }
    // Retained once in KafkaProducer.enqueue; librdkafka reports each message exactly once.
    let completion = Unmanaged<RDKafkaDeliveryCompletion>.fromOpaque(token).takeRetainedValue()
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    let partition = message.pointee.partition
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        completion.complete(.success(KafkaDeliveryReport(topic: topic, partition: partition, offset: message.pointee.offset)))
    } else {
        let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
        completion.complete(.failure(KafkaError.from(message.pointee.err, client: rk, topic: topic, partition: partition, message: text)))
    }
}
