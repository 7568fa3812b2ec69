import CRdKafka

// Building a `KafkaError` from librdkafka's two error shapes: an `rd_kafka_error_t` object and a response code.
extension KafkaError {
    /// Wraps and consumes an `rd_kafka_error_t`, keeping librdkafka's own retriable/fatal flags.
    static func consuming(_ error: OpaquePointer, topic: String? = nil) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = KafkaErrorCode(rd_kafka_error_code(error))
        let retriable = rd_kafka_error_is_retriable(error) != 0 || KafkaErrorCode.alwaysRetriable.contains(code)
        return KafkaError(
            code: code, isRetriable: retriable, isFatal: rd_kafka_error_is_fatal(error) != 0,
            topic: topic, message: rd_kafka_error_string(error).map { String(cString: $0) })
    }

    /// For a `rd_kafka_resp_err_t`; pulls the underlying fatal error's details from the client when it is `_FATAL`.
    static func from(_ err: rd_kafka_resp_err_t, client: OpaquePointer? = nil, topic: String? = nil, partition: Int32? = nil, message: String? = nil) -> KafkaError {
        var code = KafkaErrorCode(err)
        var message = message
        var fatal = false
        if code == .fatal, let client {
            var buffer = [CChar](repeating: 0, count: 512)
            let underlying = rd_kafka_fatal_error(client, &buffer, buffer.count)
            code = KafkaErrorCode(underlying)
            message = String(errorBuffer: buffer)
            fatal = true
        }
        return KafkaError(code: code, isRetriable: fatal ? false : nil, isFatal: fatal, topic: topic, partition: partition, message: message)
    }
}
