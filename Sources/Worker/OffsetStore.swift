import Kafka
import Postgres

/// The consumer offsets of one group, kept in PostgreSQL beside the aggregates they produced.
struct OffsetStore {
    let groupID: String
    /// The schema of the state tables (`pipeline`, or a rebuild's schema).
    let schema: String

    /// The next offset to read for each partition that has one stored.
    func nextOffsets(for partitions: [KafkaTopicPartition], in connection: PostgresConnection) throws
        -> [KafkaTopicPartition: Int64]
    {
        try read(partitions, locking: false, in: connection)
    }

    private func read(_ partitions: [KafkaTopicPartition], locking: Bool, in connection: PostgresConnection) throws
        -> [KafkaTopicPartition: Int64]
    {
        guard !partitions.isEmpty else { return [:] }
        let rows = try connection.execute(
            """
            SELECT o.topic, o.partition, o.next_offset
            FROM \(schema).consumer_offsets o
            JOIN unnest($2::text[], $3::int[]) AS p(topic, partition)
              ON p.topic = o.topic AND p.partition = o.partition
            WHERE o.group_id = $1
            \(locking ? "ORDER BY o.topic, o.partition FOR UPDATE OF o" : "")
            """,
            [groupID, partitions.map(\.topic), partitions.map { Int($0.partition) }]
        ).rows
        var result: [KafkaTopicPartition: Int64] = [:]
        for row in rows {
            let partition = KafkaTopicPartition(
                topic: try row.decode(0, as: String.self), partition: try row.decode(1, as: Int32.self))
            result[partition] = try row.decode(2, as: Int64.self)
        }
        return result
    }

    /// Like `nextOffsets`, but row-locked until the transaction ends, so two members of the
    /// group that both believe they own a partition cannot both apply the same messages.
    func lockNextOffsets(for partitions: [KafkaTopicPartition], in connection: PostgresConnection) throws
        -> [KafkaTopicPartition: Int64]
    {
        guard !partitions.isEmpty else { return [:] }
        // Make sure a row exists to lock, even for a partition never applied before.
        try connection.execute(
            """
            INSERT INTO \(schema).consumer_offsets (group_id, topic, partition, next_offset)
            SELECT $1, p.topic, p.partition, 0 FROM unnest($2::text[], $3::int[]) AS p(topic, partition)
            ORDER BY 2, 3
            ON CONFLICT DO NOTHING
            """,
            [groupID, partitions.map(\.topic), partitions.map { Int($0.partition) }])
        return try read(partitions, locking: true, in: connection)
    }

    /// Records that everything before `nextOffsets[p]` of each partition is applied.
    func store(_ nextOffsets: [KafkaTopicPartition: Int64], in connection: PostgresConnection) throws {
        guard !nextOffsets.isEmpty else { return }
        let sorted = nextOffsets.sorted { $0.key < $1.key }
        try connection.execute(
            """
            UPDATE \(schema).consumer_offsets o
            SET next_offset = p.next_offset, updated_at = now()
            FROM unnest($2::text[], $3::int[], $4::bigint[]) AS p(topic, partition, next_offset)
            WHERE o.group_id = $1 AND o.topic = p.topic AND o.partition = p.partition
            """,
            [groupID, sorted.map(\.key.topic), sorted.map { Int($0.key.partition) }, sorted.map(\.value)])
    }

    /// Records ranges the broker no longer had, inside the batch's transaction (which moves the
    /// offsets past them); a range recorded before for the same start is kept as it was.
    func record(_ lost: [LostRange], in connection: PostgresConnection) throws {
        guard !lost.isEmpty else { return }
        try connection.execute(
            """
            INSERT INTO \(schema).lost_ranges (group_id, topic, partition, from_offset, to_offset)
            SELECT $1, l.topic, l.partition, l.from_offset, l.to_offset
            FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS l(topic, partition, from_offset, to_offset)
            ON CONFLICT DO NOTHING
            """,
            [groupID, lost.map(\.partition.topic), lost.map { Int($0.partition.partition) }, lost.map(\.from), lost.map(\.to)])
    }

    /// Whether every partition has been applied up to the given high watermarks.
    func hasReached(_ highWatermarks: [KafkaTopicPartition: Int64], in connection: PostgresConnection) throws -> Bool {
        let pending = highWatermarks.filter { $0.value > 0 }
        guard !pending.isEmpty else { return true }
        let stored = try nextOffsets(for: Array(pending.keys), in: connection)
        return pending.allSatisfy { partition, high in (stored[partition] ?? 0) >= high }
    }
}

/// Offsets `from..<to` of a partition that the broker no longer had when the worker came to read
/// them: the figures lack those messages.
public struct LostRange: Sendable, Hashable, CustomStringConvertible {
    public var partition: KafkaTopicPartition
    /// The first lost offset: the one stored as next to apply.
    public var from: Int64
    /// The log start the worker went on from (exclusive end of the range).
    public var to: Int64

    public init(partition: KafkaTopicPartition, from: Int64, to: Int64) {
        self.partition = partition
        self.from = from
        self.to = to
    }

    public var messages: Int64 { to - from }

    public var description: String { "\(partition.topic)/\(partition.partition) offsets \(from)..<\(to)" }
}

extension LostRange {
    /// The ranges of partitions whose every message expired (log start = log end) past the offset
    /// stored for them (none stored: 0), by partition.
    static func emptied(_ marks: [KafkaTopicPartition: Watermarks], stored: [KafkaTopicPartition: Int64]) -> [LostRange] {
        marks.compactMap { partition, marks -> LostRange? in
            let next = stored[partition] ?? 0
            guard marks.isEmpty, next < marks.low else { return nil }
            return LostRange(partition: partition, from: next, to: marks.low)
        }.sorted { $0.partition < $1.partition }
    }
}

/// A partition's log start (the oldest offset the broker still has) and end (the next to be written).
struct Watermarks: Equatable {
    var low: Int64
    var high: Int64

    /// Nothing left in the log: every message written has expired (or none was written).
    var isEmpty: Bool { low == high }
}
