import Logging

/// librdkafka's in-process mock cluster, reachable over TCP at bootstrapServers.
///
/// Quirks (librdkafka 2.0.2): no CreateTopics API (use `createTopic` or `KafkaAdmin` with `configuration()`),
/// at most ~5 MiB kept per partition, topics auto-created with 4 partitions when a client asks for an unknown one.
/// Other processes (kcat, workers) can connect to `bootstrapServers` while this object lives.
// @unchecked Sendable: its only state is the immutable RDKafkaMockCluster, itself safe to call from any thread.
public final class KafkaMockCluster: @unchecked Sendable {
    private let cluster: RDKafkaMockCluster
    public let bootstrapServers: String

    public init(brokers: Int = 1, logger: Logger) throws {
        cluster = try RDKafkaMockCluster(brokers: brokers, logger: logger)
        bootstrapServers = cluster.bootstrapServers
    }

    /// A configuration for this cluster that keeps it alive as long as any client built from it.
    public func configuration(properties: [String: String] = [:]) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: bootstrapServers, properties: properties)
        configuration.keepAlive = self
        return configuration
    }

    /// Creates a topic directly in the mock (the mock has no CreateTopics request handler); an existing topic is not an error.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int16 = 1) throws {
        try cluster.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
    }

    /// Closes the broker's connections and refuses new ones until `setBrokerUp`. Broker ids start at 1.
    public func setBrokerDown(_ brokerID: Int32) throws {
        try cluster.setBrokerDown(brokerID)
    }

    public func setBrokerUp(_ brokerID: Int32) throws {
        try cluster.setBrokerUp(brokerID)
    }

    /// Next `count` requests of that API fail with the given error code.
    public func pushRequestErrors(api: KafkaAPI, errors: [KafkaErrorCode]) {
        cluster.pushRequestErrors(api: api, errors: errors)
    }

    /// Makes the broker answer every request after an extra round-trip time, e.g. to provoke timeouts.
    public func setBrokerRoundTripTime(_ brokerID: Int32, milliseconds: Int) throws {
        try cluster.setBrokerRoundTripTime(brokerID, milliseconds: milliseconds)
    }
}

/// How many partitions a mock topic needs so that its cap never drops data the caller expects.
public struct KafkaMockSizing: Sendable, Equatable {
    /// What one mock partition keeps at most: librdkafka drops a partition's oldest message sets
    /// beyond it, silently (a consumer then sees "Offset out of range" and the worker a lost range).
    public static let partitionCapacityBytes = 5 * 1024 * 1024
    /// Room left in each partition: keys do not hash evenly, and producers retry.
    public static let headroom = 2

    /// Envelopes expected on the busiest topic (a topic may carry all of them).
    public var expectedEvents: Int
    /// Bytes one envelope takes in the log: value, key, headers and record overhead.
    public var averageEventBytes: Int

    public init(expectedEvents: Int, averageEventBytes: Int) {
        self.expectedEvents = expectedEvents
        self.averageEventBytes = averageEventBytes
    }

    /// Partitions per topic: the expected bytes spread so that each partition is at most
    /// 1/`headroom` full on average, and never fewer than `minimum`.
    public func partitions(minimum: Int32) -> Int32 {
        let bytes = expectedEvents * averageEventBytes * Self.headroom
        let needed = (bytes + Self.partitionCapacityBytes - 1) / Self.partitionCapacityBytes
        return max(minimum, Int32(clamping: needed))
    }

    /// Bytes each of `partitions` partitions holds on average when the expected events all go to one topic.
    public func averageBytesPerPartition(_ partitions: Int32) -> Int {
        expectedEvents * averageEventBytes / max(1, Int(partitions))
    }

    /// The partitions per topic for what is expected (`--partitions` alone when nothing is), and
    /// the line `pipeline kafka-mock` prints about them.
    public static func plan(expectedEvents: Int?, averageEventBytes: Int, minimumPartitions: Int32) -> (partitions: Int32, line: String) {
        let cap = "embedded Kafka (librdkafka mock cluster): keeps at most \(partitionCapacityBytes / (1024 * 1024)) MiB "
            + "per partition and drops older data silently"
        guard let expectedEvents else {
            return (minimumPartitions, "\(cap); \(minimumPartitions) partitions per topic (no --expected-events: size --partitions to the data)")
        }
        let sizing = KafkaMockSizing(expectedEvents: expectedEvents, averageEventBytes: averageEventBytes)
        let partitions = sizing.partitions(minimum: minimumPartitions)
        // Hundredths of a MiB, rounded down, in integers: the same text on every machine.
        let hundredths = sizing.averageBytesPerPartition(partitions) * 100 / (1024 * 1024)
        let perPartition = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        return (partitions, "\(cap); \(partitions) partitions per topic for \(expectedEvents) envelopes of ~\(averageEventBytes) bytes: "
            + "\(perPartition) MiB per partition on average even if one topic takes them all")
    }
}
