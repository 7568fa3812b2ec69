/// A strict RFC 8259 parser: no comments, no trailing commas, no NaN, UTF-8 only, bounded nesting.
///
/// Written by hand rather than using `JSONSerialization` because bridging through `NSNumber`
/// blurs `true`, `1` and `1.0`, and the decoder must tell them apart.
public struct JSONParser {
    /// Why a document is not JSON: a readable message and the byte offset where the problem was found.
    public struct SyntaxError: Error, Sendable, Hashable {
        /// The problem in words, e.g. `unexpected '}' where an object member name was expected`.
        public var message: String
        /// The zero-based byte offset into the parsed bytes.
        public var offset: Int
    }

    /// Deep enough for any event, shallow enough that recursion cannot exhaust the stack.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses one complete document (surrounding whitespace allowed); a repeated member name keeps its
    /// first value and is reported through `JSONObject.firstDuplicateKey`.
    /// - Throws: `SyntaxError` for the first byte that breaks the grammar.
    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw SyntaxError(message: "byte order mark is not allowed", offset: 0)
        }
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != bytes.count {
            throw parser.unexpected("after the top-level value")
        }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func unexpected(_ context: String = "") -> SyntaxError {
        let suffix = context.isEmpty ? "" : " " + context
        guard index < bytes.count else {
            return SyntaxError(message: "unexpected end of input" + suffix, offset: index)
        }
        let byte = bytes[index]
        let shown = (0x21...0x7E).contains(byte)
            ? "'\(Character(Unicode.Scalar(byte)))'"
            : "byte 0x" + String(byte, radix: 16, uppercase: true)
        return SyntaxError(message: "unexpected \(shown)" + suffix, offset: index)
    }

    private mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard index < bytes.count else { throw unexpected() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw unexpected()
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            bytes.count - start >= count && bytes[start..<start + count].elementsEqual(expected)
        }
        guard matches else {
            throw SyntaxError(message: "invalid literal, expected \(literal)", offset: start)
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else {
            throw SyntaxError(message: "nesting deeper than \(Self.maximumDepth) levels", offset: index)
        }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw unexpected("where an object member name was expected")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw unexpected("where ':' was expected")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            object.add(key, value)
            skipWhitespace()
            guard index < bytes.count else { throw unexpected() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(object)
            } else {
                throw unexpected("where ',' or '}' was expected")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else {
            throw SyntaxError(message: "nesting deeper than \(Self.maximumDepth) levels", offset: index)
        }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw unexpected() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            } else {
                throw unexpected("where ',' or ']' was expected")
            }
        }
    }

    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count,
                  (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw unexpected("in a number")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                throw SyntaxError(message: "leading zero in a number", offset: index)
            }
        } else {
            _ = digits(&self)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw unexpected("in the fraction of a number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits(&self) > 0 else { throw unexpected("in the exponent of a number") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = index
        index += 1
        // Fast path: a string of plain ASCII without escapes (ids, names, timestamps, amounts) is
        // made straight from its bytes, with no buffer and no UTF-8 validation to pay for.
        var ascii: UInt8 = 0
        var scan = index
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                if ascii < 0x80 {
                    let string = String(decoding: bytes[index..<scan], as: UTF8.self)
                    index = scan + 1
                    return string
                }
                break
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            ascii |= byte
            scan += 1
        }
        var buffer: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else {
                throw SyntaxError(message: "unterminated string", offset: start)
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                buffer.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            } else if byte == UInt8(ascii: "\\") {
                buffer.append(contentsOf: bytes[runStart..<index])
                try parseEscape(into: &buffer)
                runStart = index
            } else if byte < 0x20 {
                throw SyntaxError(message: "unescaped control character in a string", offset: index)
            } else {
                index += 1
            }
        }
        guard let string = String(validating: buffer, as: UTF8.self) else {
            throw SyntaxError(message: "invalid UTF-8 in a string", offset: start)
        }
        return string
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(SyntaxError) {
        index += 1
        guard index < bytes.count else { throw unexpected("in an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = index - 2
            var code = try parseHex4()
            if (0xD800...0xDBFF).contains(code) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw SyntaxError(message: "unpaired surrogate in a \\u escape", offset: escapeStart)
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw SyntaxError(message: "unpaired surrogate in a \\u escape", offset: escapeStart)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(code) {
                throw SyntaxError(message: "unpaired surrogate in a \\u escape", offset: escapeStart)
            }
            // Safe: surrogates were excluded above and the value is at most 0x10FFFF.
            buffer.append(contentsOf: Unicode.Scalar(code)!.utf8)
        default:
            index -= 1
            throw unexpected("in an escape")
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw SyntaxError(message: "truncated \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw unexpected("in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
