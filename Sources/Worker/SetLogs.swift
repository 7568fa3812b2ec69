import Postgres

/// The logs that BI reads only grouped (`users_log`, `contacts_log`, `activity_months_log`,
/// `chat_members_log`, `mail_recipients_log`, migration 0013): each batch appends one row of arrays, and compaction
/// rewrites a log as its distinct elements in rows of at most `chunkElements`, so that what BI
/// unnests stays about the size of the set. Runs server-side, one statement per log (inside the
/// caller's transaction, if there is one).
struct SetLogs {
    /// The schema of the logs (`pipeline`, or a rebuild's schema).
    let schema: String
    /// Elements per compacted row (a row is one TOASTed value; 100,000 ids are a few MB).
    var chunkElements = 100_000
    /// `users_log` and `contacts_log` are rewritten only once they hold more rows than this. A batch
    /// logs a user only when new or when its first registration moves, and a contact only when not
    /// known to have a row, so these two logs hold few duplicates: compacting them at every snapshot
    /// rewrote every user and contact to merge almost nothing, and took 0.35 + 0.24 s and 0.42 +
    /// 0.45 s of the two compactions' 0.89 and 1.25 s in a million-event run. A batch adds a row per
    /// project, so 1,000 rows are some 300 batches.
    var rarelyDuplicatedRowLimit = 1_000

    /// Rewrites the logs with their duplicates merged (`users_log` and `contacts_log` only past
    /// `rarelyDuplicatedRowLimit` rows): a user keeps the entry of its earliest first registration,
    /// a contact `bool_or` of its flags, a letter's reader the earliest open and click.
    func compact(in connection: PostgresConnection) throws {
        if try rows(of: "users_log", in: connection) > rarelyDuplicatedRowLimit {
            try rewriteUsers(in: connection)
        }
        if try rows(of: "contacts_log", in: connection) > rarelyDuplicatedRowLimit {
            try rewrite(table: "contacts_log", arrays: ["user_ids", "chat_active"], elements: ["user_id", "chat_active"],
                        merged: "SELECT project, user_id, bool_or(chat_active) AS chat_active FROM elements GROUP BY project, user_id",
                        in: connection)
        }
        try rewrite(table: "activity_months_log", arrays: ["user_ids", "months", "contact"],
                    elements: ["user_id", "month", "contact"], merged: "SELECT DISTINCT * FROM elements", in: connection)
        try rewrite(table: "chat_members_log", arrays: ["chat_ids", "days", "user_ids"],
                    elements: ["chat_id", "day", "user_id"], merged: "SELECT DISTINCT * FROM elements", in: connection)
        try rewrite(table: "mail_recipients_log",
                    arrays: ["channels", "letter_ids", "user_ids", "first_open_at", "first_open_day", "first_click_at",
                             "first_click_day"],
                    elements: ["channel", "letter_id", "user_id", "open_at", "open_day", "click_at", "click_day"],
                    merged: """
                        SELECT project, channel, letter_id, user_id, min(open_at) AS open_at, min(open_day) AS open_day,
                               min(click_at) AS click_at, min(click_day) AS click_day
                        FROM elements GROUP BY project, channel, letter_id, user_id
                        """, in: connection)
    }

    /// How many rows `table` holds (its arrays are not read).
    private func rows(of table: String, in connection: PostgresConnection) throws -> Int {
        try connection.execute("SELECT count(*) FROM \(schema).\(table)").rows[0].decode(0, as: Int.self)
    }

    private func rewriteUsers(in connection: PostgresConnection) throws {
        try rewrite(table: "users_log",
                    arrays: ["user_ids", "first_reg_at", "first_reg_ids", "first_reg_day", "networks", "campaign_ids", "ad_ids"],
                    elements: ["user_id", "first_reg_at", "first_reg_id", "first_reg_day", "network", "campaign_id", "ad_id"],
                    merged: """
                        SELECT DISTINCT ON (project, user_id) * FROM elements
                        ORDER BY project, user_id, first_reg_at NULLS LAST, first_reg_id COLLATE "C"
                        """, in: connection)
    }

    /// One statement: the rows deleted, their elements (`project` and `elements`, the unnested
    /// `arrays`) merged by `merged` (a query over `elements`), inserted again per project in chunks.
    /// Names come from code, never from input.
    private func rewrite(
        table: String, arrays: [String], elements: [String], merged: String, in connection: PostgresConnection
    ) throws {
        // In the select list the arrays are stepped in lockstep (they have equal lengths).
        let unnested = zip(arrays, elements).map { "unnest(r.\($0)) AS \($1)" }.joined(separator: ", ")
        try connection.execute("""
            WITH removed AS (DELETE FROM \(schema).\(table) RETURNING *),
            elements AS (SELECT r.project, \(unnested) FROM removed r),
            merged AS (\(merged))
            INSERT INTO \(schema).\(table) (project, \(arrays.joined(separator: ", ")))
            SELECT project, \(elements.map { "array_agg(\($0))" }.joined(separator: ", "))
            FROM (SELECT m.*, (row_number() OVER (PARTITION BY project) - 1) / $1 AS chunk FROM merged m) numbered
            GROUP BY project, chunk
            """, [chunkElements])
    }
}
