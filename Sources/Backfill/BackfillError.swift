/// Why a backfill stopped (bad rows do not stop it: they are reported and counted in `BackfillOutcome`).
public enum BackfillError: Error, Sendable, CustomStringConvertible {
    /// The export's header lacks columns the events need.
    case header(table: String, ExportHeaderError)
    /// The table is unreadable from some row on; rows before it were imported and checkpointed.
    case table(ExportTableError)
    /// Kafka did not confirm a batch; the checkpoint holds the last confirmed row, so a rerun resumes there.
    case delivery(table: String, rowsDone: Int, underlying: String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .header(let table, let error): "\(table): \(error)"
        case .table(let error): error.description
        case .delivery(let table, let rowsDone, let underlying):
            "\(table): Kafka did not confirm the events after row \(rowsDone) (\(underlying)); rerun with the same --checkpoint to resume"
        case .checkpoint(let problem): "checkpoint: \(problem)"
        }
    }
}
