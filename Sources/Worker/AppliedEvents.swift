import Aggregation
import Postgres

/// The ids of every applied event, as 16-byte hashes in memory: a batch needs no query to drop
/// repeats, and stores its new ids as one value (`applied_batches`) in its own transaction.
final class AppliedEvents {
    let schema: String
    private(set) var hashes = EventIDHashSet()

    init(schema: String) {
        self.schema = schema
    }

    /// Reads every stored batch of ids, inside the caller's transaction (`BatchApplier.loadState`).
    func load(_ connection: PostgresConnection) throws {
        let total = try connection.execute("SELECT coalesce(sum(events), 0)::bigint FROM \(schema).applied_batches")
            .rows[0].decode(0, as: Int64.self)
        // Sized once, so that loading moves no array.
        hashes = EventIDHashSet()
        hashes.reserveCapacity(Int(total))
        // A row is a batch's ids, up to 640 kB as hex: a few at a time, not millions of ids at once.
        try connection.forEachRow("SELECT encode(id_hashes, 'hex') FROM \(schema).applied_batches", rowsPerFetch: 8) { row in
            let text = try row.decode(0, as: String.self)
            guard let batch = EventIDHash.parse(hex: text) else {
                throw StoredValueError(description: "\(schema).applied_batches: not 16-byte hashes")
            }
            hashes.formUnion(batch)
        }
    }

    func contains(_ hash: EventIDHash) -> Bool { hashes.contains(hash) }

    /// Stores a batch's applied ids inside its transaction (`insert` them once it committed).
    func store(_ batch: [EventIDHash], in connection: PostgresConnection) throws {
        guard !batch.isEmpty else { return }
        try connection.execute(
            "INSERT INTO \(schema).applied_batches (events, id_hashes) VALUES ($1, decode($2, 'hex'))",
            [batch.count, EventIDHash.hex(batch)])
    }

    /// Remembers a committed batch's ids.
    func insert(_ batch: [EventIDHash]) {
        hashes.formUnion(batch)
    }

    var count: Int { hashes.count }
}
