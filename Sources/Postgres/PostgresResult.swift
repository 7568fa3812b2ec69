/// The fully read outcome of one statement: column names, rows as text, and the affected-row count.
public struct PostgresResult: Sendable {
    /// Column names in result order; empty for statements that return no rows.
    public let columns: [String]
    /// All returned rows, already copied out of libpq's memory.
    public let rows: [PostgresRow]
    /// Rows inserted, updated, deleted, copied or selected, as reported by the server; 0 when not applicable.
    public let affectedRows: Int
    /// The server's command tag, e.g. "INSERT 0 3" or "COMMIT".
    public let commandTag: String
}
