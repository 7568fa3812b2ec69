/// A topic to create: name, partition count and replication factor.
public struct KafkaTopicSpec: Sendable, Hashable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16

    public init(name: String, partitions: Int32, replicationFactor: Int16 = 1) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }
}
