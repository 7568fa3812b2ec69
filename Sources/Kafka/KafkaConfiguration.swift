/// Where a Kafka client connects and any extra librdkafka properties (security, SASL, SSL, tuning).
public struct KafkaConfiguration: Sendable {
    public var bootstrapServers: String
    /// Any librdkafka property passed through (security.protocol, sasl.*, ssl.*, ...). Applied last, so it overrides defaults.
    public var properties: [String: String]
    /// Keeps an in-process mock cluster alive for as long as a client built from this configuration lives.
    var keepAlive: KafkaMockCluster?

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.keepAlive = nil
    }
}
