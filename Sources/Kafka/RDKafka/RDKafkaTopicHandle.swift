import CRdKafka

/// Owns an `rd_kafka_topic_t`; holds its client so the handle is always destroyed before the client is.
final class RDKafkaTopicHandle {
    let pointer: OpaquePointer
    let name: String
    private let client: RDKafkaClient

    /// - Throws: when librdkafka refuses the topic (e.g. an invalid name).
    init(client: RDKafkaClient, topic: String) throws {
        guard let created = rd_kafka_topic_new(client.handle, topic, nil) else {
            throw KafkaError.from(rd_kafka_last_error(), client: client.handle, topic: topic, message: "topic handle refused")
        }
        pointer = created
        name = topic
        self.client = client
    }

    deinit {
        rd_kafka_topic_destroy(pointer)
    }
}
