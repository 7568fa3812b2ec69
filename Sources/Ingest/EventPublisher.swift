import Events
import Kafka
import Logging

/// Produces a request's events and returns only once every one of them has its delivery report (SPEC §5).
struct EventPublisher: Sendable {
    let producer: KafkaProducer
    let topics: EventTopics
    let metrics: IngestMetrics

    /// - Parameter logger: the request's logger, so a refusal is logged with its request id and project.
    /// - Returns: how many events are now durably in Kafka.
    /// - Throws: `IngestError.kafkaUnavailable` for any Kafka failure, since then nothing may be acknowledged.
    func publish(_ events: [Event], logger: Logger) async throws(IngestError) -> Int {
        guard !events.isEmpty else { return 0 }
        let messages = events.map { KafkaOutgoingMessage(event: $0, topics: topics) }
        do {
            _ = try await producer.send(messages)
        } catch {
            logger.warning("events not acknowledged by Kafka", metadata: ["error": "\(error)", "events": "\(events.count)"])
            throw .kafkaUnavailable
        }
        for message in messages { metrics.countEvents(topic: message.topic, count: 1) }
        return events.count
    }
}
