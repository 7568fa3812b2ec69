/// Every error of the Backfill module: why a backfill stopped, or why a file, a row or the Export API gave nothing
/// (bad rows do not stop a backfill: they are reported and counted in `BackfillOutcome`).
public enum BackfillError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The export's header lacks columns the events need (as the row mapper finds it, before a table name is known).
    case missingColumns(ExportHeader)
    /// The learning export's header lacks columns the events need.
    case missingLearningColumns(LearningHeader)
    /// The export's header lacks columns the events need.
    case header(table: String, ExportHeader)
    /// A structural fault of the CSV file itself, as `CSVReader` finds it.
    case csvSyntax(CSVSyntax)
    /// One row gives no event; the backfill reports it and goes on.
    case row(Row)
    /// The table is unreadable from some row on; rows before it were imported and checkpointed.
    case table(Table)
    /// GetCourse's Export API gave no export.
    case exportAPI(ExportAPI)
    /// Kafka did not confirm a batch; the checkpoint holds the last confirmed row, so a rerun resumes there.
    case delivery(table: String, rowsDone: Int, underlying: String)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .missingColumns(let header): header.description
        case .missingLearningColumns(let header): header.description
        case .header(let table, let error): "\(table): \(error)"
        case .csvSyntax(let error): error.description
        case .row(let error): error.description
        case .table(let error): error.description
        case .exportAPI(let error): error.description
        case .delivery(let table, let rowsDone, let underlying):
            "\(table): Kafka did not confirm the events after row \(rowsDone) (\(underlying)); rerun with the same --checkpoint to resume"
        case .checkpoint(let problem): "checkpoint: \(problem)"
        }
    }
}
