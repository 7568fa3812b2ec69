import Foundation

/// A Swift value that can be sent as a bound text-format parameter; `nil` text means SQL NULL.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format, or nil for NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int16: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "true" : "false" }
}

extension Double: PostgresEncodable {
    // Swift prints the shortest text that round-trips; only the special values need PostgreSQL's spelling.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return String(self)
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self.flatMap { $0.postgresText } }
}

/// Marks values whose text is itself an array literal, so a nested array is not quoted as a string.
protocol PostgresArrayLiteral {}

extension Array: PostgresArrayLiteral where Element: PostgresEncodable {}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    // Every non-NULL element is double-quoted, which is valid for any element type and makes
    // commas, braces, spaces, the word NULL and empty strings unambiguous.
    // Built as UTF-8 bytes: appending scalar by scalar to a String cost more than the statements
    // themselves on the worker's batches (a third of its instructions).
    public var postgresText: String? {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(count * 16 + 2)
        for (position, element) in enumerated() {
            if position > 0 { literal.append(UInt8(ascii: ",")) }
            guard let text = element.postgresText else {
                literal += "NULL".utf8
                continue
            }
            // An array's text always starts with "{", so the dynamic cast is needed only then.
            if text.utf8.first == UInt8(ascii: "{"), element is any PostgresArrayLiteral {
                literal += text.utf8
                continue
            }
            literal.append(UInt8(ascii: "\""))
            // `"` and `\` are ASCII, so escaping bytes is escaping scalars.
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}

extension Date: PostgresEncodable {
    // ISO 8601 in UTC with microseconds: exactly what timestamptz stores, independent of the session time zone.
    public var postgresText: String? {
        let interval = timeIntervalSince1970
        var seconds = interval.rounded(.down)
        var micros = Int(((interval - seconds) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }
}
