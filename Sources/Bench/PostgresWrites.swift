import Logging
import Postgres

/// What PostgreSQL wrote between two readings: row operations on the pipeline's tables (from
/// `pg_stat_user_tables`) and WAL bytes (the whole server's, so nothing else may run beside).
struct PostgresWrites {
    /// One reading of the counters.
    struct Reading {
        var rows: Int64
        var walPosition: String
        /// Full-page images written to the WAL so far (`pg_stat_wal.wal_fpi`): a page's first change
        /// after each checkpoint logs the whole page, up to 8 kB, besides the change.
        var fullPageImages: Int64
        /// WAL records written so far (`pg_stat_wal.wal_records`).
        var walRecords: Int64
        /// Row operations per table so far.
        var rowsPerTable: [String: Int64]
    }

    let databaseURL: String
    let logger: Logger

    /// Inserted + updated + deleted rows of schema `pipeline` so far, and the current WAL position.
    /// Statistics reach the shared counters when a backend's transaction ends or it exits, so read
    /// after the writer has gone; the snapshot is cleared so that this reading is fresh.
    func read() throws -> Reading {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        try connection.execute("SELECT pg_stat_clear_snapshot()")
        let tables = try connection.execute("""
            SELECT relname::text, (n_tup_ins + n_tup_upd + n_tup_del)::bigint
            FROM pg_stat_user_tables WHERE schemaname = 'pipeline'
            """).rows
        var perTable: [String: Int64] = [:]
        for row in tables { perTable[try row.decode(0, as: String.self)] = try row.decode(1, as: Int64.self) }
        let position = try connection.execute("SELECT pg_current_wal_lsn()::text").rows[0].decode(0, as: String.self)
        let wal = try connection.execute("SELECT wal_fpi, wal_records FROM pg_stat_wal").rows[0]
        return Reading(rows: perTable.values.reduce(0, +), walPosition: position, fullPageImages: try wal.decode(0, as: Int64.self),
                       walRecords: try wal.decode(1, as: Int64.self), rowsPerTable: perTable)
    }

    /// Rows and WAL bytes written from `before` to `after`.
    func difference(from before: Reading, to after: Reading) throws
        -> (rows: Int64, walBytes: Int64, walRecords: Int64, fullPageImages: Int64, perTable: [(table: String, rows: Int64)])
    {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let bytes = try connection.execute(
            "SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::bigint", [after.walPosition, before.walPosition]
        ).rows[0].decode(0, as: Int64.self)
        let perTable = after.rowsPerTable.map { ($0.key, $0.value - (before.rowsPerTable[$0.key] ?? 0)) }
            .filter { $0.1 != 0 }.sorted { $0.1 > $1.1 }
        return (after.rows - before.rows, bytes, after.walRecords - before.walRecords,
                after.fullPageImages - before.fullPageImages, perTable)
    }
}
