/// Why an outside JSON document does not have the expected shape: the field's JSON path and the problem.
public struct JSONPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path of the field as the sender wrote it, e.g. `message.from.id` or `data[3].spend`; `$` for the document.
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `"<field>: <problem>"`, the same shape as the event decoder's and the normalizers' errors.
    public var description: String { "\(field): \(problem)" }
}

/// One value of an outside JSON document with the path it was found at, so every error names the field exactly.
///
/// The one reader of inputs by path: the normalizers' `JSONReader` and the pollers' `AdAPIJSON` are thin
/// adapters over it that turn `JSONPathError` into their module's error. Numbers stay literal text
/// (`JSONParser`), so counts and money never pass through `Double`.
public struct JSONPathReader: Sendable {
    public let value: JSONValue
    /// Where the value sits, e.g. `data[3].spend`; `$` for the whole document.
    public let path: String

    public init(_ value: JSONValue, path: String = "$") {
        self.value = value
        self.path = path
    }

    /// Parses a complete document with Events' parser; the error names the document (`$`).
    public init(parsing bytes: [UInt8]) throws(JSONPathError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw JSONPathError(field: "$", problem: "invalid JSON: \(error.message) at byte \(error.offset)")
        }
        self.init(value)
    }

    /// The first member name repeated in any object of this value, for readers that refuse repeats (two
    /// readers of one body could disagree on which value counts); the parser bounds the depth.
    public var firstDuplicateKey: String? { Self.firstDuplicateKey(in: value) }

    private static func firstDuplicateKey(in value: JSONValue) -> String? {
        switch value {
        case .object(let object):
            if let key = object.firstDuplicateKey { return key }
            for member in object.values { if let found = firstDuplicateKey(in: member) { return found } }
            return nil
        case .array(let elements):
            for element in elements { if let found = firstDuplicateKey(in: element) { return found } }
            return nil
        default:
            return nil
        }
    }

    /// A path segment for `key` below `parent`: dotted when it is a plain name, bracketed and quoted
    /// otherwise (an outside key may contain anything, and a dot in it would read as nesting).
    public static func path(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        if plain { return parent == "$" || parent.isEmpty ? key : parent + "." + key }
        return (parent.isEmpty ? "$" : parent) + "[" + quoted(key) + "]"
    }

    /// Wraps a value in double quotes for a message, escaping what would make it ambiguous or unprintable.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u" + CivilCalendar.zeroPadded(Int(scalar.value), width: 4)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// The path of member `key` of this value.
    public func childPath(_ key: String) -> String { Self.path(path, key) }

    /// An error about this value, named by its path.
    public func error(_ problem: String) -> JSONPathError { JSONPathError(field: path, problem: problem) }

    public var isObject: Bool {
        if case .object = value { return true }
        return false
    }

    public func object() throws(JSONPathError) -> JSONObject {
        guard case .object(let object) = value else { throw error("must be an object, got \(value.typeName)") }
        return object
    }

    /// The member `key`, or nil when it is missing or null (senders leave out empty fields).
    public func optional(_ key: String) throws(JSONPathError) -> JSONPathReader? {
        switch try object()[key] {
        case nil, .null?: nil
        case let member?: JSONPathReader(member, path: childPath(key))
        }
    }

    /// The member `key`, failing with "missing" when it is absent or null.
    public func required(_ key: String) throws(JSONPathError) -> JSONPathReader {
        guard let member = try optional(key) else { throw JSONPathError(field: childPath(key), problem: "missing") }
        return member
    }

    public func elements() throws(JSONPathError) -> [JSONPathReader] {
        guard case .array(let items) = value else { throw error("must be an array, got \(value.typeName)") }
        return items.enumerated().map { JSONPathReader($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// The same words as the event decoder's, which refuses NUL because PostgreSQL text cannot hold it.
    public static let nulProblem = "must not contain the NUL character (U+0000)"

    /// A string; NUL is refused unless `refusingNUL` is false (for readers that only pass the text on
    /// to a check of their own).
    public func string(refusingNUL: Bool = true) throws(JSONPathError) -> String {
        guard case .string(let text) = value else { throw error("must be a string, got \(value.typeName)") }
        // U+0000 is exactly the byte 0 in UTF-8.
        if refusingNUL, text.containsNUL { throw error(Self.nulProblem) }
        return text
    }
}
