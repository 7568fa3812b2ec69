import CLibPQ
import Foundation
import Logging

/// One PostgreSQL session over libpq, with bound parameters, transactions, COPY and self-healing reconnects.
///
/// Blocking: every call waits on the network, so use it from a thread of its own (the worker's loop),
/// never from the Swift concurrency pool. Not thread-safe: one thread at a time.
///
/// Recovery: when a statement fails because the connection broke and no transaction was open, the
/// connection resets itself (retrying for up to ~10 s) and runs that one statement again — so a
/// standalone statement may run twice if the break hid a success; make such statements idempotent or
/// use `transaction`. Inside a transaction the failure is thrown as a retriable error and the reset
/// happens on the next call; the caller re-runs the whole transaction.
// @unchecked Sendable: there is no internal locking, exactly like the PGconn it owns. It is Sendable only
// so that it can be created in one place and handed over to the worker's dedicated thread (whose entry
// closure must be @Sendable); using one instance from two threads at the same time is a programming error.
public final class PostgresConnection: @unchecked Sendable {
    /// How long a reset keeps trying before giving up: long enough for a server restart, short enough
    /// that a dead database surfaces as an error instead of a hang.
    static let resetBudget: Duration = .seconds(10)
    /// COPY data goes out in pieces so libpq never has to hold one huge buffer in its output queue.
    static let copyChunkSize = 1 << 20

    private var handle: OpaquePointer?
    private let logger: Logger
    private let notices: NoticeSink
    private var needsReset = false
    private var transactionDepth = 0
    /// The server-side transaction is gone (connection lost or reset) while `transaction`'s body still runs.
    private var transactionBroken = false
    /// Called after every `execute` with its SQL and how long the call took (the benchmark's
    /// per-statement profile; for `overlapping` statements, from sending to reading the answer,
    /// which includes the caller's work meanwhile); nil, the default, costs nothing.
    public var statementObserver: ((_ sql: String, _ elapsed: Duration) -> Void)?

    /// Opens a connection; throws a retriable `.connection` error if the server cannot be reached.
    ///
    /// - Parameter connectionString: Any libpq connection string or URI; "" means libpq defaults
    ///   (PG* environment variables work as libpq defines them). `client_encoding` is always UTF8,
    ///   because results are decoded as Swift strings.
    public init(connectionString: String, logger: Logger) throws {
        self.logger = logger
        self.notices = NoticeSink(logger: logger)
        // expand_dbname turns the string into options; the later client_encoding overrides the string's,
        // and PQreset reuses these same options.
        let keywords = CStrings(["dbname", "client_encoding"])
        let values = CStrings([connectionString, "UTF8"])
        guard let connection = keywords.withPointers({ keys in
            values.withPointers { vals in PQconnectdbParams(keys, vals, 1) }
        }) else {
            throw PostgresError(code: .connection, summary: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.lastError(connection)
            PQfinish(connection)
            // libpq's reason (refused, SSL required, authentication...) names hosts and users, never the
            // password; without it an operator cannot tell a wrong sslmode from a down server.
            logger.error("could not connect to the database", metadata: ["libpq": "\(message)"])
            throw PostgresError(code: .connection, summary: "could not connect to the database", message: message)
        }
        handle = connection
        PQsetNoticeProcessor(connection, postgresNoticeProcessor, Unmanaged.passUnretained(notices).toOpaque())
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Whether a transaction is open, either through `transaction` or a manual BEGIN.
    public var isInTransaction: Bool {
        if transactionDepth > 0 { return true }
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Runs one statement with bound parameters ($1, $2, ...; text format, arrays of strings in
    /// binary: `BoundParameters`) and reads the whole result.
    ///
    /// Throws `PostgresError`: `.query` with the server's SQLSTATE, `.connection` (retriable) when the
    /// connection broke, `.usage` for a value containing a NUL byte.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        let bound = try BoundParameters(parameters)
        let started = statementObserver == nil ? nil : ContinuousClock.now
        defer { if let started, let statementObserver { statementObserver(sql, started.duration(to: .now)) } }
        return try withRecovery { connection in
            let result = bound.withPointers { types, values, lengths, formats in
                PQexecParams(connection, sql, Int32(bound.count), types, values, lengths, formats, 0)
            }
            return try self.read(result, connection)
        }
    }

    /// Runs several statements without parameters (for migrations): PQexec.
    ///
    /// Only code constants belong here: nothing is bound. Statements without an explicit BEGIN run in
    /// one implicit transaction.
    public func executeScript(_ sql: String) throws {
        try withRecovery { connection in
            _ = try self.read(PQexec(connection, sql), connection)
        }
    }

    /// Runs body inside BEGIN/COMMIT; ROLLBACK on any thrown error (then rethrows).
    ///
    /// A nested call joins the outer transaction. If the connection breaks inside, every further
    /// statement of the body throws a retriable `.connection` error; re-run the whole transaction.
    /// If the break hits COMMIT itself, the outcome is unknown to the client (as with any driver):
    /// keep the work idempotent, e.g. by storing consumer offsets in the same transaction.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 { return try body() }
        try execute("BEGIN")
        transactionDepth = 1
        defer {
            transactionDepth = 0
            transactionBroken = false
        }
        let value: T
        let commit: PostgresResult
        do {
            value = try body()
            commit = try execute("COMMIT")
        } catch {
            rollbackAfterFailure()
            throw error
        }
        // COMMIT of a transaction in which a statement failed (and the error was swallowed) answers
        // ROLLBACK without an error; turning it into one keeps "returned normally" meaning "committed".
        if commit.commandTag == "ROLLBACK" {
            throw PostgresError(
                code: .query, summary: "transaction was rolled back because a statement in it failed", sqlState: "25P02")
        }
        return value
    }

    /// Re-establishes the session (PQreset with retries for up to ~10 s); an open transaction is lost.
    public func reconnect() throws {
        _ = try connected()
        if transactionDepth > 0 { transactionBroken = true }
        try resetWithRetries()
    }

    /// Ends the session now; later calls throw a `.usage` error. Also happens on deinit.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    // MARK: - Internals shared with PostgresConnection+Copy

    func connected() throws -> OpaquePointer {
        guard let handle else { throw PostgresError(code: .usage, summary: "connection is closed") }
        return handle
    }

    /// Applies the recovery policy described on the type around one libpq round trip.
    func withRecovery<T>(_ attempt: (OpaquePointer) throws -> T) throws -> T {
        let connection = try connected()
        if transactionDepth > 0 && transactionBroken {
            throw PostgresError(
                code: .connection, summary: "connection was lost during this transaction; re-run the transaction")
        }
        if needsReset || PQstatus(connection) != CONNECTION_OK {
            if transactionDepth > 0 {
                transactionBroken = true
                needsReset = true
                throw PostgresError(
                    code: .connection, summary: "connection was lost during this transaction; re-run the transaction")
            }
            try resetWithRetries()
        }
        let wasIdle = transactionDepth == 0 && PQtransactionStatus(connection) == PQTRANS_IDLE
        do {
            return try attempt(connection)
        } catch let error as PostgresError where PQstatus(connection) != CONNECTION_OK {
            needsReset = true
            guard wasIdle else {
                if transactionDepth > 0 { transactionBroken = true }
                logger.warning("postgres connection lost inside a transaction", metadata: ["error": "\(error)"])
                throw error
            }
            logger.warning("postgres connection lost; reconnecting and retrying the statement once",
                           metadata: ["error": "\(error)"])
            try resetWithRetries()
            return try attempt(connection)
        }
    }

    /// Turns a PGresult into a PostgresResult or a PostgresError, always freeing it.
    func read(_ result: OpaquePointer?, _ connection: OpaquePointer) throws -> PostgresResult {
        guard let result else { throw failure(connection, nil) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.materialize(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(connection)
            throw PostgresError(code: .protocol, summary: "COPY is only supported through copyRows")
        default:
            throw failure(connection, result)
        }
    }

    /// Builds the error for a failed result (or a missing one), classifying a broken connection as `.connection`.
    func failure(_ connection: OpaquePointer, _ result: OpaquePointer?) -> PostgresError {
        let broken = PQstatus(connection) != CONNECTION_OK
        func field(_ code: Character) -> String? {
            guard let result, let pointer = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: pointer)
        }
        let sqlState = field("C")
        let message = field("M") ?? Self.lastError(connection)
        let code: PostgresError.Code = broken ? .connection : (result == nil ? .protocol : .query)
        let summary: String
        switch code {
        case .connection: summary = "the connection to the database was lost"
        case .query: summary = "the server rejected the statement"
        default: summary = "libpq returned no result"
        }
        return PostgresError(
            code: code, summary: summary, sqlState: sqlState, message: message, detail: field("D"), hint: field("H"))
    }

    // MARK: - Private

    private func resetWithRetries() throws {
        let connection = try connected()
        let clock = ContinuousClock()
        let deadline = clock.now + Self.resetBudget
        var delay: Duration = .milliseconds(50)
        var attempts = 0
        while true {
            attempts += 1
            PQreset(connection)
            if PQstatus(connection) == CONNECTION_OK {
                needsReset = false
                logger.info("postgres connection re-established", metadata: ["attempts": "\(attempts)"])
                return
            }
            if clock.now + delay >= deadline {
                needsReset = true
                throw PostgresError(
                    code: .connection, summary: "could not reconnect to the database",
                    message: Self.lastError(connection))
            }
            Thread.sleep(forTimeInterval: Double(delay.components.attoseconds) / 1e18 + Double(delay.components.seconds))
            delay = min(delay * 2, .seconds(1))
        }
    }

    private func rollbackAfterFailure() {
        guard let handle, !transactionBroken, PQstatus(handle) == CONNECTION_OK else {
            // The server discards a transaction whose connection died; nothing to roll back from here.
            needsReset = true
            return
        }
        let status = PQtransactionStatus(handle)
        guard status == PQTRANS_INTRANS || status == PQTRANS_INERROR else { return }
        let result = PQexec(handle, "ROLLBACK")
        if PQresultStatus(result) != PGRES_COMMAND_OK {
            logger.warning("postgres ROLLBACK failed", metadata: ["error": "\(failure(handle, result))"])
        }
        PQclear(result)
        if PQstatus(handle) != CONNECTION_OK { needsReset = true }
    }

    /// Gets libpq out of an unexpected COPY state so the connection stays usable.
    private func abandonCopy(_ connection: OpaquePointer) {
        _ = PQputCopyEnd(connection, "COPY is only supported through copyRows")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(connection, &buffer, 0) > 0 {
            PQfreemem(buffer)
            buffer = nil
        }
        while let extra = PQgetResult(connection) { PQclear(extra) }
    }

    private static func materialize(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let names = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let layout = PostgresRow.Layout(names: names)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    let bytes = UnsafeRawBufferPointer(
                        start: PQgetvalue(result, row, column), count: Int(PQgetlength(result, row, column)))
                    values.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(PostgresRow(layout: layout, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(
            columns: names, rows: rows, affectedRows: affected, commandTag: String(cString: PQcmdStatus(result)))
    }

    static func lastError(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// PostgreSQL text cannot hold NUL, and a C string would silently cut the value there.
    static func checkedText(_ text: String?) throws -> String? {
        // Over the contiguous bytes: the generic search on the UTF-8 view showed in the worker's profile.
        guard var text else { return nil }
        if text.withUTF8({ $0.contains(0) }) {
            throw PostgresError(code: .usage, summary: "a parameter contains a NUL byte, which PostgreSQL text cannot store")
        }
        return text
    }
}

/// Holds the logger that libpq's notice callback writes to; kept alive by the connection.
final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

/// libpq calls this with the connection's context for every NOTICE/WARNING; they are diagnostics, hence debug.
private func postgresNoticeProcessor(_ context: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let context, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    sink.logger.debug("postgres notice", metadata: ["notice": "\(text)"])
}
