import Events
import Kafka

/// Where the backfill's events go; `deliver` returns only once every event is durably stored.
public protocol EventSink: Sendable {
    func deliver(_ events: [Event]) async throws
}

/// Produces events to their SPEC topics with their keys and returns after Kafka's delivery reports (acks=all).
public struct KafkaEventSink: EventSink {
    public let producer: KafkaProducer
    public let topics: EventTopics

    public init(producer: KafkaProducer, topics: EventTopics) {
        self.producer = producer
        self.topics = topics
    }

    public func deliver(_ events: [Event]) async throws {
        let messages = events.map { KafkaOutgoingMessage(event: $0, topics: topics) }
        _ = try await producer.send(messages)
    }
}
