import Events
import Kafka

/// A consumed message that could not be applied, and why.
public struct DeadLetter: Sendable {
    public var message: KafkaMessage
    /// Names the field and the problem, or what was missing (for example an fx rate).
    public var reason: String

    public init(message: KafkaMessage, reason: String) {
        self.message = message
        self.reason = reason
    }

    /// The project named by the message key (`project:…`, SPEC §2), for logs; nil when the key has none.
    public var project: String? {
        guard let key = message.key, let colon = key.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        return String(decoding: key[..<colon], as: UTF8.self)
    }

    /// Header names carried by every dead letter, so it can be traced and re-driven.
    public enum Header {
        public static let reason = "deadletter.reason"
        public static let topic = "deadletter.topic"
        public static let partition = "deadletter.partition"
        public static let offset = "deadletter.offset"
    }

    /// The message for the dead letter topic: the original key, value and headers, plus the reason and origin.
    public func outgoing(to topic: String) -> KafkaOutgoingMessage {
        var headers = message.headers.filter { !$0.key.hasPrefix("deadletter.") }
        headers.append(KafkaHeader(key: Header.reason, string: reason))
        headers.append(KafkaHeader(key: Header.topic, string: message.topic))
        headers.append(KafkaHeader(key: Header.partition, string: String(message.partition)))
        headers.append(KafkaHeader(key: Header.offset, string: String(message.offset)))
        return KafkaOutgoingMessage(topic: topic, key: message.key, value: message.value, headers: headers)
    }
}
