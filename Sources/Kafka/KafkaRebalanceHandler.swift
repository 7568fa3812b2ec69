/// Called on the polling thread during pollBatch when the group rebalances.
public struct KafkaRebalanceHandler: Sendable {
    /// Returns the offset to start each newly assigned partition at; partitions absent from the result start at the beginning (earliest).
    /// Throwing leaves the consumer without an assignment and makes the current `pollBatch` throw the error; close the consumer and retry.
    public var onAssign: @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64]
    /// Called before partitions are taken away, so the caller can finish or abandon work on them.
    public var onRevoke: @Sendable ([KafkaTopicPartition]) -> Void

    public init(
        onAssign: @escaping @Sendable ([KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64],
        onRevoke: @escaping @Sendable ([KafkaTopicPartition]) -> Void = { _ in }
    ) {
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }

    /// Every assigned partition starts at the beginning; for tests and tools that keep no offsets.
    public static let fromBeginning = KafkaRebalanceHandler(onAssign: { _ in [:] })
}
