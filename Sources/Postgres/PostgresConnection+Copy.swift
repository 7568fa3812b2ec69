import CLibPQ

extension PostgresConnection {
    /// Fast bulk load: COPY table(columns) FROM STDIN in text format with correct escaping of \t \n \\ and NULL (\N).
    ///
    /// `table` (optionally `schema.table`) and `columns` are identifiers from code; each part is
    /// double-quoted, so pass names exactly as stored (lower case for tables created without quotes).
    /// An empty `columns` means all columns in table order. All rows load or none do; the count loaded is returned.
    public func copyRows(table: String, columns: [String], rows: [[any PostgresEncodable]]) throws -> Int {
        let payload = try Self.copyPayload(rows: rows, width: columns.isEmpty ? nil : columns.count)
        let target = table.split(separator: ".", omittingEmptySubsequences: false).map { Self.quoteIdentifier(String($0)) }
        var sql = "COPY " + target.joined(separator: ".")
        if !columns.isEmpty { sql += " (" + columns.map(Self.quoteIdentifier).joined(separator: ", ") + ")" }
        sql += " FROM STDIN"

        return try withRecovery { connection in
            guard let start = PQexec(connection, sql) else { throw failure(connection, nil) }
            guard PQresultStatus(start) == PGRES_COPY_IN else {
                // Not in COPY mode: read() turns the (error) result into the right PostgresError.
                _ = try read(start, connection)
                throw PostgresError(code: .protocol, summary: "server did not enter COPY IN mode")
            }
            PQclear(start)

            var sent = true
            payload.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let length = min(Self.copyChunkSize, bytes.count - offset)
                    let chunk = bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                    guard PQputCopyData(connection, chunk, Int32(length)) == 1 else {
                        sent = false
                        return
                    }
                    offset += length
                }
            }
            // Ending with an error message makes the server abort the COPY instead of committing a prefix.
            _ = PQputCopyEnd(connection, sent ? nil : "client failed to send COPY data")

            // Drain every result; the first failure (if any) is the one that explains what happened.
            var outcome: PostgresResult?
            var firstError: PostgresError?
            while let result = PQgetResult(connection) {
                do {
                    let read = try read(result, connection)
                    if outcome == nil { outcome = read }
                } catch let error as PostgresError {
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            guard let outcome else { throw failure(connection, nil) }
            return outcome.affectedRows
        }
    }

    /// Encodes rows in COPY text format; only bytes that are ASCII are escaped, so UTF-8 passes through intact.
    static func copyPayload(rows: [[any PostgresEncodable]], width: Int?) throws -> [UInt8] {
        var payload: [UInt8] = []
        payload.reserveCapacity(rows.count * 32)
        for row in rows {
            if let width, row.count != width {
                throw PostgresError(
                    code: .usage, summary: "copyRows: a row has \(row.count) values for \(width) columns")
            }
            for (index, value) in row.enumerated() {
                if index > 0 { payload.append(0x09) }
                guard let text = value.postgresText else {
                    payload.append(contentsOf: [0x5C, 0x4E])  // \N
                    continue
                }
                for byte in text.utf8 {
                    switch byte {
                    case 0x00:
                        throw PostgresError(
                            code: .usage, summary: "copyRows: a value contains a NUL byte, which PostgreSQL text cannot store")
                    case 0x5C: payload.append(contentsOf: [0x5C, 0x5C])  // \\
                    case 0x09: payload.append(contentsOf: [0x5C, 0x74])  // \t
                    case 0x0A: payload.append(contentsOf: [0x5C, 0x6E])  // \n
                    case 0x0D: payload.append(contentsOf: [0x5C, 0x72])  // \r
                    default: payload.append(byte)
                    }
                }
            }
            payload.append(0x0A)
        }
        return payload
    }

    /// Double-quotes an identifier so names from code can never change the statement's shape.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
