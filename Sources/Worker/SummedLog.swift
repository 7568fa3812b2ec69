import Postgres

/// A table of sums (`funnel_daily`, `mail_daily`, `chat_daily`, `user_monthly`) and the log its
/// batches' deltas go to (migration 0014), and the fold of the log into the table: one statement
/// deletes the log rows it sees and adds their sums per key to the table, so a row a batch appends
/// meanwhile is neither deleted nor waited for, and BI (which sums the table and the log,
/// `bi_all.*_sums`) sees the same figures before and after. Two folds at once are safe too: a row
/// deleted by the first is skipped by the second.
struct SummedLog: Sendable {
    /// The table of sums.
    let table: String
    /// The log of deltas.
    let log: String
    /// Key columns of the table (but `project`) and the log's arrays that hold them.
    let keys: [(column: String, array: String)]
    /// Measure columns; the log's array of each has the column's name.
    let measures: [String]

    static let funnel = SummedLog(
        table: "funnel_daily", log: "funnel_log",
        keys: [("day", "days"), ("network", "networks"), ("campaign_id", "campaign_ids"), ("ad_id", "ad_ids")],
        measures: ["impressions", "ad_clicks", "spend", "visits", "registrations", "orders", "paid_orders", "payments",
                   "revenue", "refunds"])
    static let mail = SummedLog(
        table: "mail_daily", log: "mail_daily_log",
        keys: [("channel", "channels"), ("letter_id", "letter_ids"), ("day", "days")],
        measures: ["sent", "delivered", "opened", "clicked", "unsubscribed", "bounced", "spam"])
    static let chat = SummedLog(
        table: "chat_daily", log: "chat_daily_log", keys: [("chat_id", "chat_ids"), ("day", "days")],
        measures: ["messages", "joins", "leaves"])
    static let userMonthly = SummedLog(
        table: "user_monthly", log: "user_monthly_log", keys: [("user_id", "user_ids"), ("month", "months")],
        measures: ["payments", "revenue", "refunds"])
    static let all = [funnel, mail, chat, userMonthly]

    /// When the logs are folded: after this many batches appended to them, which keeps what BI sums
    /// small when batches are small, or this many elements (keys of a batch's project and table),
    /// which bounds it when they are large. A fold writes each key it meets once, so the more
    /// batches it folds, the fewer rows it writes per event.
    struct FoldLimits: Sendable {
        var batches = 200
        var elements = 200_000
    }

    /// Folds every log row this statement sees into the table (inside the caller's transaction,
    /// if there is one). Names come from code, never from input.
    func fold(schema: String, in connection: PostgresConnection) throws {
        let keyColumns = keys.map(\.column).joined(separator: ", ")
        // In the select list the arrays are stepped in lockstep (the log checks equal lengths).
        let unnested = (keys.map { "unnest(r.\($0.array)) AS \($0.column)" } + measures.map { "unnest(r.\($0)) AS \($0)" })
            .joined(separator: ", ")
        try connection.execute("""
            WITH removed AS (DELETE FROM \(schema).\(log) RETURNING *),
            elements AS (SELECT r.project, \(unnested) FROM removed r)
            INSERT INTO \(schema).\(table) AS t (project, \(keyColumns), \(measures.joined(separator: ", ")))
            SELECT project, \(keyColumns), \(measures.map { "sum(\($0))" }.joined(separator: ", "))
            FROM elements GROUP BY project, \(keyColumns)
            ON CONFLICT (project, \(keyColumns)) DO UPDATE SET
                \(measures.map { "\($0) = t.\($0) + EXCLUDED.\($0)" }.joined(separator: ", "))
            """)
    }

    /// Folds every log (`all`).
    static func foldAll(schema: String, in connection: PostgresConnection) throws {
        for summed in all { try summed.fold(schema: schema, in: connection) }
    }
}
