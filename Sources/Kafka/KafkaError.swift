import CRdKafka

/// The one error type of the Kafka module: `description` is safe to log, `debugDescription` has every detail.
public struct KafkaError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public var code: KafkaErrorCode
    /// True when trying the same operation again later may succeed (drives the caller's backoff).
    public var isRetriable: Bool
    /// True when the client instance is unusable and must be recreated (e.g. idempotent producer fatal error).
    public var isFatal: Bool
    /// The configuration property at fault, for configuration errors (names are safe to log, values are not).
    public var property: String?
    /// Topic and partition involved, when known.
    public var topic: String?
    public var partition: Int32?
    /// librdkafka's own message; may quote configuration values, so it only goes into `debugDescription`.
    public var message: String?

    public init(
        code: KafkaErrorCode, isRetriable: Bool? = nil, isFatal: Bool = false,
        property: String? = nil, topic: String? = nil, partition: Int32? = nil, message: String? = nil
    ) {
        self.code = code
        self.isRetriable = isRetriable ?? KafkaErrorCode.alwaysRetriable.contains(code)
        self.isFatal = isFatal || code == .fatal
        self.property = property
        self.topic = topic
        self.partition = partition
        self.message = message
    }

    public var description: String {
        var text = "KafkaError(\(code.name)): \(code.text)"
        if let property { text += " (property '\(property)')" }
        return text
    }

    public var debugDescription: String {
        var parts = ["KafkaError(\(code.name) [\(code.rawValue)]): \(code.text)"]
        if let message, !message.isEmpty { parts.append("message: \(message)") }
        if let property { parts.append("property: \(property)") }
        if let topic { parts.append("topic: \(topic)") }
        if let partition { parts.append("partition: \(partition)") }
        parts.append("retriable: \(isRetriable), fatal: \(isFatal)")
        return parts.joined(separator: "; ")
    }
}

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
