import Foundation

/// A Swift value that can be sent as a bound text-format parameter; `nil` text means SQL NULL.
/// Arrays of strings are bound in binary instead (`BoundParameters`).
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
    // commas, braces, spaces, the word NULL and empty strings unambiguous; integers and booleans,
    // which contain none of those, are written bare.
    // Built as UTF-8 bytes: appending scalar by scalar to a String cost more than the statements
    // themselves on the worker's batches (a third of its instructions). The element types the
    // worker sends by the thousand take a specialized path: reached through `any PostgresEncodable`,
    // the generic loop paid a witness call, a String and a metadata lookup per element.
    public var postgresText: String? {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(count * 16 + 2)
        // Compared by type, not cast: `as? [String]` would try an [String?] element by element.
        if Element.self == String.self {
            let strings = unsafeBitCast(self, to: [String].self)
            for position in strings.indices {
                if position > 0 { literal.append(UInt8(ascii: ",")) }
                appendQuoted(strings[position], to: &literal)
            }
        } else if Element.self == String?.self {
            let strings = unsafeBitCast(self, to: [String?].self)
            for position in strings.indices {
                if position > 0 { literal.append(UInt8(ascii: ",")) }
                if let text = strings[position] { appendQuoted(text, to: &literal) } else { literal += "NULL".utf8 }
            }
        } else if Element.self == Int64.self {
            let numbers = unsafeBitCast(self, to: [Int64].self)
            for position in numbers.indices {
                if position > 0 { literal.append(UInt8(ascii: ",")) }
                appendDigits(numbers[position], to: &literal)
            }
        } else if Element.self == Int.self {
            let numbers = unsafeBitCast(self, to: [Int].self)
            for position in numbers.indices {
                if position > 0 { literal.append(UInt8(ascii: ",")) }
                appendDigits(Int64(numbers[position]), to: &literal)
            }
        } else if Element.self == Bool.self {
            let flags = unsafeBitCast(self, to: [Bool].self)
            for position in flags.indices {
                if position > 0 { literal.append(UInt8(ascii: ",")) }
                literal.append(flags[position] ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            }
        } else {
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
                appendQuoted(text, to: &literal)
            }
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}

/// Appends `value` in decimal, unquoted (an integer needs no quotes in an array literal): the
/// generic path made a String of every count of the worker's aggregate rows.
private func appendDigits(_ value: Int64, to literal: inout [UInt8]) {
    if value < 0 { literal.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
        var count = 0
        repeat {
            digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        for index in stride(from: count - 1, through: 0, by: -1) { literal.append(digits[index]) }
    }
}

/// Appends `text` double-quoted, with `"` and `\` escaped (both ASCII, so escaping bytes is
/// escaping scalars); text with neither, nearly all of it, is copied in one piece.
private func appendQuoted(_ text: String, to literal: inout [UInt8]) {
    literal.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { bytes in
        if !bytes.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            literal.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
            literal.append(byte)
        }
    }
    literal.append(UInt8(ascii: "\""))
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
