import Logging

/// Topic administration and metadata queries; every method blocks, so call it from a plain thread or at startup.
///
/// librdkafka 2.0.2's mock cluster has no CreateTopics handler (the request is never sent and times out), so
/// when the configuration came from `KafkaMockCluster.configuration()` `createTopics` uses the mock's own topic API.
// @unchecked Sendable: the admin, metadata and watermark calls are thread-safe on a librdkafka client, which is immutable here.
public final class KafkaAdmin: @unchecked Sendable {
    private let client: RDKafkaClient
    private let mockCluster: KafkaMockCluster?
    private let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.logger = logger
        mockCluster = configuration.keepAlive
        let config = RDKafkaConfig()
        try config.apply(defaults: [], configuration: configuration)
        client = try RDKafkaClient(kind: .producer, config: config, context: RDKafkaClientContext(logger: logger), keepAlive: configuration.keepAlive)
    }

    /// Creates topics; topics that already exist are not an error.
    public func createTopics(_ topics: [KafkaTopicSpec], timeout: Duration) throws {
        guard !topics.isEmpty else { return }
        if let mockCluster {
            for topic in topics {
                try mockCluster.createTopic(topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor)
            }
            return
        }
        try client.createTopics(topics, timeout: timeout)
    }

    /// Topic name → partition count (from metadata).
    public func listTopics(timeout: Duration) throws -> [String: Int32] {
        try client.partitionCounts(timeout: timeout)
    }

    /// The partition's low (first kept) and high (next to be written) offsets, asked of the leader.
    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws -> (low: Int64, high: Int64) {
        try client.watermarks(topic: topic, partition: partition, timeout: timeout)
    }
}
