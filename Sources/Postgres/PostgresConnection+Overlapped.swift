import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs `body` inside the open transaction with a writer whose `execute` returns as soon as its
    /// statement is sent: the caller builds the next statement (sorting, encoding) while the server
    /// executes this one. A batch's writes are a dozen statements whose preparation otherwise waited
    /// for the server, and the server for it. Each statement's answer is read before the next is
    /// sent, and all are read before this returns; the first failure is thrown (by the `execute`
    /// after it, or here) once nothing is left in flight. Results are not returned.
    public func overlapping(_ body: (OverlappedStatements) throws -> Void) throws {
        guard isInTransaction else {
            throw PostgresError(code: .usage, summary: "overlapped statements need an open transaction")
        }
        let statements = OverlappedStatements(connection: self)
        do {
            try body(statements)
            try statements.receivePending()
        } catch {
            // The caller's ROLLBACK can only be sent once the answer in flight has been read.
            statements.discardPending()
            throw error
        }
    }
}

/// Statements sent one after another without waiting for each answer before returning (see `overlapping`).
public final class OverlappedStatements {
    private let connection: PostgresConnection
    private var inFlight: (sql: String, sent: ContinuousClock.Instant)?

    fileprivate init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Encodes and sends a statement after reading the previous one's answer (throwing its error, if any).
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws {
        let bound = try BoundParameters(parameters)
        try receivePending()
        try connection.withRecovery { handle in
            let sent = bound.withPointers { types, values, lengths, formats in
                PQsendQueryParams(handle, sql, Int32(bound.count), types, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw self.connection.failure(handle, nil) }
        }
        inFlight = (sql, .now)
    }

    fileprivate func receivePending() throws {
        guard let statement = inFlight else { return }
        inFlight = nil
        defer { connection.statementObserver?(statement.sql, statement.sent.duration(to: .now)) }
        try connection.withRecovery { handle in
            // One result per statement, then NULL; the first result carries any error.
            guard let first = PQgetResult(handle) else { throw self.connection.failure(handle, nil) }
            let outcome = Result { try self.connection.read(first, handle) }
            while let extra = PQgetResult(handle) { PQclear(extra) }
            _ = try outcome.get()
        }
    }

    fileprivate func discardPending() {
        guard inFlight != nil, let handle = try? connection.connected() else { return }
        inFlight = nil
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
