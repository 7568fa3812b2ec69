import Aggregation
import Postgres

/// The worker-only state in PostgreSQL (`state_log`): each batch appends one row of its ledger
/// deltas and order events (`WorkerStateRecords` lines) in its own transaction, and now and then a
/// snapshot of the whole state (rows of at most `snapshotChunkLines` lines) replaces every row
/// before it. These were two tables written row by row (`user_daily`, `order_events`) that no
/// view reads; as one row per batch they cost PostgreSQL one insert instead of one per ledger
/// day and order event.
final class StateLog {
    let schema: String
    /// A snapshot is written once the records appended since the last one reach this many, or the
    /// last snapshot's size if larger: each record is then rewritten at most about twice, and a
    /// new owner reads at most about twice the state.
    let minimumSnapshotInterval: Int
    /// Lines per snapshot row (40,000: about 2 MB of text).
    let snapshotChunkLines: Int
    private(set) var recordsSinceSnapshot = 0
    private(set) var snapshotRecords = 0

    init(schema: String, minimumSnapshotInterval: Int = 200_000, snapshotChunkLines: Int = 40_000) {
        self.schema = schema
        self.minimumSnapshotInterval = minimumSnapshotInterval
        self.snapshotChunkLines = snapshotChunkLines
    }

    /// Reads every row: the latest snapshot's rows (a snapshot deletes the rows before it) and the
    /// batches' rows after them.
    func load(_ connection: PostgresConnection) throws -> WorkerStateRecords {
        var state = WorkerStateRecords()
        recordsSinceSnapshot = 0
        snapshotRecords = 0
        // A row is up to a few MB of text: two at a time.
        try connection.transaction {
            try connection.forEachRow(
                "SELECT seq, snapshot, records, body FROM \(schema).state_log ORDER BY seq", rowsPerFetch: 2
            ) { row in
                let records = Int(try row.decode(2, as: Int64.self))
                if try row.decode(1, as: Bool.self) { snapshotRecords += records } else { recordsSinceSnapshot += records }
                do {
                    try state.decode(try row.decode(3, as: String.self))
                } catch {
                    throw StoredValueError(description: "\(schema).state_log row \(try row.decode(0, as: Int64.self)): \(error)")
                }
            }
        }
        return state
    }

    /// Records appended by a committed batch (its row was written by `ChangeWriter`).
    func committed(records: Int) {
        recordsSinceSnapshot += records
    }

    var snapshotDue: Bool { recordsSinceSnapshot >= max(minimumSnapshotInterval, snapshotRecords) }

    /// Writes `state` (what every row holds together) as snapshot rows and deletes the rows before
    /// them, in one transaction checked against the lease: an owner that lost it (its memory may lag
    /// the log) cannot replace newer rows. A crash before the commit leaves the rows as they were.
    /// With `compactingLogs` the id logs (`SetLogs`) are compacted and the logs of sums (`SummedLog`)
    /// folded in the same transaction (the worker leaves that to its `LogCompactor`).
    func writeSnapshot(
        _ state: WorkerStateRecords, lease: WorkerLease?, compactingLogs: Bool = true, _ connection: PostgresConnection,
        beforeCommit: (() throws -> Void)? = nil
    ) throws {
        var records = 0
        try connection.transaction {
            try lease?.check(in: connection)
            var first: Int64?
            try state.encode(linesPerChunk: snapshotChunkLines) { body, lines in
                records += lines
                let seq = try connection.execute(
                    "INSERT INTO \(schema).state_log (snapshot, records, body) VALUES (true, $1, $2) RETURNING seq",
                    [lines, body]
                ).rows[0].decode(0, as: Int64.self)
                first = first ?? seq
            }
            if let first {
                try connection.execute("DELETE FROM \(schema).state_log WHERE seq < $1", [first])
            } else {
                try connection.execute("DELETE FROM \(schema).state_log")
            }
            // The other logs grow with every batch like this one: compacted and folded at the same
            // pace where no compactor does it beside the batches.
            if compactingLogs {
                try SetLogs(schema: schema).compact(in: connection)
                try SummedLog.foldAll(schema: schema, in: connection)
            }
            try beforeCommit?()
        }
        snapshotRecords = records
        recordsSinceSnapshot = 0
    }
}
