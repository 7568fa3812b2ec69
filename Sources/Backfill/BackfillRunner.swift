import Events
import Foundation

/// What one table's import did in this run.
public struct BackfillOutcome: Sendable, Hashable {
    /// Rows passed over because the checkpoint had them done.
    public var rowsResumed = 0
    /// Rows read and mapped by this run (skipped ones included).
    public var rowsRead = 0
    /// Rows that gave no event because they are wrong; each was reported.
    public var rowsRejected = 0
    public var eventsDelivered = 0

    public init() {}
}

/// Imports tables in batches: map rows, deliver the batch's events, and only then advance the checkpoint.
///
/// Bad rows are reported (table, line, column, problem) and skipped, and the import goes on: an analyst gets the
/// whole list in one run instead of one error per rerun, and `rowsRejected` lets the command exit non-zero.
/// A table that cannot be read further, or a batch Kafka does not confirm, stops the import; every row
/// before it is delivered and checkpointed.
public struct BackfillRunner: Sendable {
    public var sink: any EventSink
    public var checkpointFile: CheckpointFile?
    public var batchRows: Int
    /// Seconds between progress lines.
    public var progressInterval: Double
    /// Seconds on some monotonic clock; injectable so tests need no real time.
    public var now: @Sendable () -> Double
    /// Progress lines (stderr in the command).
    public var progress: @Sendable (String) -> Void
    /// Rejected rows, one line each (stderr in the command).
    public var report: @Sendable (String) -> Void

    public init(
        sink: any EventSink, checkpointFile: CheckpointFile?, batchRows: Int = 1000, progressInterval: Double = 1,
        now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        progress: @escaping @Sendable (String) -> Void = { _ in }, report: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.sink = sink
        self.checkpointFile = checkpointFile
        self.batchRows = max(batchRows, 1)
        self.progressInterval = progressInterval
        self.now = now
        self.progress = progress
        self.report = report
    }

    /// Imports `table` from where the checkpoint entry `key` left it.
    public func run(table: inout some ExportTable, mapper: some ExportRowMapper, key: String, exportID: Int? = nil) async throws -> BackfillOutcome {
        var checkpoint = try checkpointFile?.load() ?? BackfillCheckpoint()
        var entry = checkpoint.entries[key] ?? BackfillCheckpoint.Entry(identity: table.identity)
        if entry.identity != table.identity {
            // A new export of the same data: start over; ids are deterministic, so what was done counts once.
            progress("\(table.name): not the table the checkpoint was written for; importing it from the start")
            entry = BackfillCheckpoint.Entry(identity: table.identity)
        }
        entry.exportID = exportID ?? entry.exportID
        let tableName = table.name
        var outcome = BackfillOutcome()
        if entry.finished && entry.rowsDone >= table.rowCount {
            progress("\(table.name): already imported (\(entry.rowsDone) rows, per the checkpoint)")
            outcome.rowsResumed = entry.rowsDone
            return outcome
        }
        entry.finished = false
        if exportID != nil {
            // Kept before any row: a rerun after a Kafka failure re-reads this export instead of spending quota.
            checkpoint.entries[key] = entry
            try checkpointFile?.save(checkpoint)
        }
        let total = table.rowCount
        let started = now()
        var lastProgress = started
        var batch: [Event] = []
        var batchLastRow = entry.rowsDone
        var rowsInBatch = 0

        func flush() async throws {
            if !batch.isEmpty {
                do {
                    try await sink.deliver(batch)
                } catch {
                    throw BackfillError.delivery(table: tableName, rowsDone: entry.rowsDone, underlying: "\(error)")
                }
            }
            outcome.eventsDelivered += batch.count
            batch.removeAll(keepingCapacity: true)
            rowsInBatch = 0
            entry.rowsDone = batchLastRow
            checkpoint.entries[key] = entry
            try checkpointFile?.save(checkpoint)
            let time = now()
            if time - lastProgress >= progressInterval {
                lastProgress = time
                progress(BackfillProgress.line(
                    name: tableName, done: entry.rowsDone, total: total,
                    doneThisRun: outcome.rowsRead, elapsedSeconds: time - started))
            }
        }

        while true {
            let row: ExportRow?
            do {
                row = try table.nextRow()
            } catch {
                try await flush()
                throw error
            }
            guard let row else { break }
            if row.ordinal <= entry.rowsDone {
                outcome.rowsResumed += 1
                continue
            }
            outcome.rowsRead += 1
            do {
                if let problem = row.problem { throw BackfillError.row(problem) }
                batch += try mapper.events(cells: row.cells)
            } catch {
                outcome.rowsRejected += 1
                report("\(table.name) \(row.location): \(error)")
            }
            batchLastRow = row.ordinal
            rowsInBatch += 1
            if rowsInBatch >= batchRows { try await flush() }
        }
        if rowsInBatch > 0 { try await flush() }
        entry.finished = true
        checkpoint.entries[key] = entry
        try checkpointFile?.save(checkpoint)
        progress(BackfillProgress.line(
            name: table.name, done: entry.rowsDone, total: table.rowCount,
            doneThisRun: outcome.rowsRead, elapsedSeconds: now() - started))
        return outcome
    }
}
