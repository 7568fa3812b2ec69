import Kafka
import Logging
import Postgres

/// Where the consumer stands against the offsets stored with the aggregates: re-reading when a
/// rebuild's swap moved them back, and recording partitions whose messages expired unapplied.
extension PipelineWorker {
    /// Seeks back every assigned partition whose stored offset is behind this consumer's position:
    /// after a rebuild's swap the new tables hold less than this consumer applied to the old ones,
    /// and a partition with no new messages would otherwise never notice.
    /// Returns whether it moved any partition (then batches read before are stale).
    @discardableResult
    func rewindToStoredOffsets(
        _ positions: inout [KafkaTopicPartition: Int64], consumer: KafkaConsumer, offsets: OffsetStore,
        connection: PostgresConnection
    ) throws -> Bool {
        let assigned = Set(consumer.assignment)
        positions = positions.filter { assigned.contains($0.key) }
        guard !positions.isEmpty else { return false }
        let stored = try offsets.nextOffsets(for: Array(positions.keys), in: connection)
        var moved = false
        for (partition, position) in positions.sorted(by: { $0.key < $1.key }) {
            guard let next = stored[partition], next < position else { continue }
            try consumer.seek(partition, to: next)
            positions[partition] = next
            moved = true
            logger.notice("stored offset behind this consumer: re-reading", metadata: [
                "topic": "\(partition.topic)", "partition": "\(partition.partition)", "from": "\(next)", "was": "\(position)"])
        }
        return moved
    }

    /// A partition whose every message expired past the stored offset (log start = log end) gives
    /// the consumer nothing that would reveal the gap, so a run until caught up (and a rebuild)
    /// would wait for it for ever: its lost range is recorded, and its offset moved, at start.
    func recordEmptiedPartitions(
        _ marks: [KafkaTopicPartition: Watermarks], offsets: OffsetStore, connection: PostgresConnection,
        metrics: WorkerMetrics
    ) throws {
        let emptied = marks.filter { $0.value.isEmpty }
        guard !emptied.isEmpty else { return }
        let lost = try connection.transaction {
            let stored = try offsets.lockNextOffsets(for: emptied.keys.sorted(), in: connection)
            let lost = LostRange.emptied(emptied, stored: stored)
            try offsets.record(lost, in: connection)
            try offsets.store(Dictionary(uniqueKeysWithValues: lost.map { ($0.partition, $0.to) }), in: connection)
            return lost
        }
        reportLost(lost, metrics: metrics)
    }

    /// Says, in the log and the metrics, what the broker no longer had (already recorded).
    func reportLost(_ ranges: [LostRange], metrics: WorkerMetrics) {
        for range in ranges {
            logger.error("messages lost: the partition's log starts past the stored offset", metadata: [
                "topic": "\(range.partition.topic)", "partition": "\(range.partition.partition)",
                "from": "\(range.from)", "to": "\(range.to)", "messages": "\(range.messages)",
                "recorded_in": "\(configuration.stateSchema).lost_ranges"])
        }
        metrics.recordLost(ranges)
    }
}
