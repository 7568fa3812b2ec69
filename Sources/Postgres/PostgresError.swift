/// The one error type of the Postgres module: a safe `description`, libpq's full story in `debugDescription`.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of thing went wrong; drives how a caller reacts (retry, fix the SQL, fix the code).
    public enum Code: String, Sendable, Hashable {
        /// Could not connect, or the connection broke; the statement may not have run.
        case connection
        /// The server rejected a statement; `sqlState` says why.
        case query
        /// libpq returned something this wrapper does not expect (e.g. COPY where a result was due).
        case `protocol`
        /// A result value was NULL or could not be parsed as the requested type.
        case decoding
        /// The wrapper was misused: closed connection, NUL byte in a value, row width mismatch.
        case usage
    }

    /// The kind of failure.
    public let code: Code
    /// The five-character SQLSTATE reported by the server, if any (e.g. "23505").
    public let sqlState: String?
    /// The result column involved in a decoding error, if any; a code constant, so safe to log.
    public let column: String?
    /// A fixed, data-free phrase saying what was being attempted; safe to log.
    let summary: String
    /// libpq's message: may quote values and is therefore only in `debugDescription`.
    let message: String?
    let detail: String?
    let hint: String?

    init(
        code: Code, summary: String, sqlState: String? = nil, column: String? = nil,
        message: String? = nil, detail: String? = nil, hint: String? = nil
    ) {
        self.code = code
        self.summary = summary
        self.sqlState = sqlState
        self.column = column
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    /// Whether re-running the same work (a statement outside a transaction, or the whole transaction) may succeed.
    public var isRetriable: Bool {
        if code == .connection { return true }
        guard let sqlState else { return false }
        // Serialization failures, deadlocks, administrator shutdown / server starting, and connection exceptions.
        if ["40001", "40P01", "57P01", "57P02", "57P03"].contains(sqlState) { return true }
        return sqlState.hasPrefix("08")
    }

    /// Generic text without parameters, values or connection secrets, so it may go to any log.
    public var description: String {
        var text = "PostgresError.\(code.rawValue): \(summary)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }

    /// Everything libpq said, including message, detail and hint; may contain data values.
    public var debugDescription: String {
        var text = description
        if let message, !message.isEmpty { text += "\nmessage: \(message)" }
        if let detail, !detail.isEmpty { text += "\ndetail: \(detail)" }
        if let hint, !hint.isEmpty { text += "\nhint: \(hint)" }
        return text
    }
}
