/// What can go wrong while building, reading or sending a report or digest.
///
/// `description` is safe to print and log: it never holds a bot token or a connection string.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is.
    public enum Code: String, Sendable {
        /// A caller's argument is wrong (a period that ends before it starts).
        case invalidArgument
        /// A value read from a `bi` view does not have the expected shape.
        case unreadableValue
        /// The Telegram Bot API answered `ok: false` (other than a rate limit that was waited out).
        case telegramRefused
        /// The Telegram Bot API could not be reached or answered something that is not its JSON.
        case telegramUnreachable
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
