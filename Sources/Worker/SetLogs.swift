import Postgres

/// The logs of ids that BI reads only as sets (`contacts_log`, `activity_months_log`,
/// `chat_members_log`, migration 0013): each batch appends one row of arrays, and compaction
/// rewrites a log as its distinct elements in rows of at most `chunkElements`, so that what BI
/// unnests stays about the size of the set. Runs server-side, inside the caller's transaction.
struct SetLogs {
    /// The schema of the logs (`pipeline`, or a rebuild's schema).
    let schema: String
    /// Elements per compacted row (a row is one TOASTed value; 100,000 ids are a few MB).
    var chunkElements = 100_000

    /// Rewrites the three logs with their duplicates merged: a contact keeps `bool_or` of its flags.
    func compact(in connection: PostgresConnection) throws {
        try rewrite(table: "contacts_log", arrays: ["user_ids", "chat_active"], elements: ["user_id", "chat_active"],
                    merged: "SELECT project, user_id, bool_or(chat_active) AS chat_active FROM elements GROUP BY project, user_id",
                    in: connection)
        try rewrite(table: "activity_months_log", arrays: ["user_ids", "months", "contact"],
                    elements: ["user_id", "month", "contact"], merged: "SELECT DISTINCT * FROM elements", in: connection)
        try rewrite(table: "chat_members_log", arrays: ["chat_ids", "days", "user_ids"],
                    elements: ["chat_id", "day", "user_id"], merged: "SELECT DISTINCT * FROM elements", in: connection)
    }

    /// One statement: the rows deleted, their elements (`project` and `elements`, the unnested
    /// `arrays`) merged by `merged` (a query over `elements`), inserted again per project in chunks.
    /// Names come from code, never from input.
    private func rewrite(
        table: String, arrays: [String], elements: [String], merged: String, in connection: PostgresConnection
    ) throws {
        let unnested = "unnest(" + arrays.map { "r.\($0)" }.joined(separator: ", ") + ")"
        try connection.execute("""
            WITH removed AS (DELETE FROM \(schema).\(table) RETURNING *),
            elements AS (
                SELECT r.project, e.* FROM removed r CROSS JOIN LATERAL \(unnested) AS e(\(elements.joined(separator: ", ")))
            ),
            merged AS (\(merged))
            INSERT INTO \(schema).\(table) (project, \(arrays.joined(separator: ", ")))
            SELECT project, \(elements.map { "array_agg(\($0))" }.joined(separator: ", "))
            FROM (SELECT m.*, (row_number() OVER (PARTITION BY project) - 1) / $1 AS chunk FROM merged m) numbered
            GROUP BY project, chunk
            """, [chunkElements])
    }
}
