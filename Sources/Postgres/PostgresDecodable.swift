/// A Swift value that can be parsed from PostgreSQL's text output format.
public protocol PostgresDecodable {
    /// Parses the server's text; throws a `PostgresError` with code `.decoding` if it does not fit.
    init(postgresText: String) throws
}

extension PostgresDecodable {
    static func unparsable(_ text: String) -> PostgresError {
        PostgresError(code: .decoding, summary: "value cannot be decoded as \(Self.self)", message: "text: \(text)")
    }
}

extension String: PostgresDecodable {
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw Self.unparsable(postgresText) }
        self = value
    }
}

extension Int64: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw Self.unparsable(postgresText) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw Self.unparsable(postgresText) }
        self = value
    }
}

extension Int16: PostgresDecodable {
    public init(postgresText: String) throws {
        guard let value = Int16(postgresText) else { throw Self.unparsable(postgresText) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText: String) throws {
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: throw Self.unparsable(postgresText)
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText: String) throws {
        switch postgresText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(postgresText) else { throw Self.unparsable(postgresText) }
            self = value
        }
    }
}
