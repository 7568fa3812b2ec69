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
