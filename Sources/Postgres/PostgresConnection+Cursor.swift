/// Reading a large result a slice at a time.
extension PostgresConnection {
    /// Runs `sql` through a cursor of the open transaction and hands each row to `body`, fetching
    /// `rowsPerFetch` rows at a time: only that many are held, in libpq's result and as Swift
    /// strings, instead of the whole result (a million rows read at once took hundreds of MB).
    ///
    /// Must run inside a transaction (a cursor lives until its transaction ends); one at a time.
    public func forEachRow(_ sql: String, rowsPerFetch: Int, _ body: (PostgresRow) throws -> Void) throws {
        precondition(rowsPerFetch > 0, "rowsPerFetch must be positive")
        precondition(isInTransaction, "forEachRow needs an open transaction")
        try execute("DECLARE rows_in_slices NO SCROLL CURSOR FOR \(sql)")
        while true {
            let rows = try execute("FETCH \(rowsPerFetch) FROM rows_in_slices").rows
            for row in rows { try body(row) }
            if rows.count < rowsPerFetch { break }
        }
        try execute("CLOSE rows_in_slices")
    }
}
