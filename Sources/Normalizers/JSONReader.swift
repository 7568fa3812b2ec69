import Events
import Foundation

/// A JSON value with the path it was found at, so every error names the input field exactly.
struct JSONReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String = "$") {
        self.value = value
        self.path = path
    }

    /// Parses a complete request body with the Events parser, also refusing repeated member names
    /// (two readers of one body could disagree); the error names the body (`$`).
    init(parsing bytes: [UInt8]) throws(NormalizationError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw NormalizationError(field: "$", problem: "invalid JSON: \(error.message) at byte \(error.offset)")
        }
        if let key = Self.firstDuplicateKey(in: value) {
            throw NormalizationError(field: "$", problem: "invalid JSON: duplicate member \(quoted(key))")
        }
        self.init(value)
    }

    /// The first repeated member name anywhere in the document (the parser bounds its depth).
    private static func firstDuplicateKey(in value: JSONValue) -> String? {
        switch value {
        case .object(let object):
            if let key = object.firstDuplicateKey { return key }
            for key in object.keys { if let found = firstDuplicateKey(in: object.members[key]!) { return found } }
            return nil
        case .array(let elements):
            for element in elements { if let found = firstDuplicateKey(in: element) { return found } }
            return nil
        default:
            return nil
        }
    }

    func childPath(_ key: String) -> String { path == "$" ? key : path + "." + key }

    func object() throws(NormalizationError) -> [String: JSONValue] {
        guard case .object(let object) = value else {
            throw NormalizationError(field: path, problem: "must be an object, got \(value.typeName)")
        }
        return object.members
    }

    /// The member, or nil when it is missing or null.
    func optional(_ key: String) throws(NormalizationError) -> JSONReader? {
        switch try object()[key] {
        case nil, .null?: nil
        case let member?: JSONReader(member, path: childPath(key))
        }
    }

    func required(_ key: String) throws(NormalizationError) -> JSONReader {
        guard let member = try optional(key) else {
            throw NormalizationError(field: childPath(key), problem: "missing")
        }
        return member
    }

    func elements() throws(NormalizationError) -> [JSONReader] {
        guard case .array(let items) = value else {
            throw NormalizationError(field: path, problem: "must be an array, got \(value.typeName)")
        }
        return items.enumerated().map { JSONReader($0.element, path: "\(path)[\($0.offset)]") }
    }

    /// The same words as the envelope decoder's, which refuses NUL because PostgreSQL text cannot hold it.
    static let nulProblem = "must not contain the NUL character (U+0000)"

    /// A string; NUL is refused here, under the sender's field, rather than later under the event's.
    func string() throws(NormalizationError) -> String {
        guard case .string(let text) = value else {
            throw NormalizationError(field: path, problem: "must be a string, got \(value.typeName)")
        }
        guard !text.unicodeScalars.contains("\u{0}") else { throw NormalizationError(field: path, problem: Self.nulProblem) }
        return text
    }

    /// An identifier that sources send as a string or as an integer (`"871035642"` or `871035642`); never empty,
    /// at most `IdentifierLimit.maximumLength` characters.
    func identifier() throws(NormalizationError) -> String {
        let text: String
        switch value {
        case .string: text = try string().trimmingCharacters(in: .whitespaces)
        case .number(let literal) where literal.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }): text = literal
        default: throw NormalizationError(field: path, problem: "must be a string or an integer id, got \(value.typeName == "number" ? "a fractional number" : value.typeName)")
        }
        if text.isEmpty { throw NormalizationError(field: path, problem: "must not be empty") }
        return try IdentifierLimit.checked(text, field: path)
    }

    func nonEmptyString() throws(NormalizationError) -> String {
        let text = try string()
        if text.trimmingCharacters(in: .whitespaces).isEmpty { throw NormalizationError(field: path, problem: "must not be empty") }
        return text
    }
}
