import Events
import Foundation

/// The normalizers' face of Events' `JSONPathReader`: the same reads, failing with `NormalizationError`.
///
/// A thin adapter rather than a typealias because the normalizers throw their own module's error; every
/// path and every problem text comes from the shared reader.
struct JSONReader {
    let reader: JSONPathReader

    var value: JSONValue { reader.value }
    var path: String { reader.path }

    init(_ value: JSONValue, path: String = "$") {
        reader = JSONPathReader(value, path: path)
    }

    private init(_ reader: JSONPathReader) {
        self.reader = reader
    }

    /// Parses a complete request body with the Events parser, also refusing repeated member names
    /// (two readers of one body could disagree); the error names the body (`$`).
    init(parsing bytes: [UInt8]) throws(NormalizationError) {
        reader = try Self.mapped { () throws(JSONPathError) in try JSONPathReader(parsing: bytes) }
        // Worded with the normalizers' quoting, which shortens a long name.
        if let key = reader.firstDuplicateKey {
            throw NormalizationError(field: "$", problem: "invalid JSON: duplicate member \(quoted(key))")
        }
    }

    /// Runs a read of the shared reader, turning its error into this module's with the same field and problem.
    private static func mapped<T>(_ read: () throws(JSONPathError) -> T) throws(NormalizationError) -> T {
        do {
            return try read()
        } catch {
            throw NormalizationError(field: error.field, problem: error.problem)
        }
    }

    /// `key` joined to this path with a dot, never bracketed: callers name nested fields with it
    /// (`metadata.user_id`), which the shared reader would quote as one key.
    func childPath(_ key: String) -> String { path == "$" ? key : path + "." + key }

    func object() throws(NormalizationError) -> [String: JSONValue] {
        try Self.mapped { () throws(JSONPathError) in try reader.object().members }
    }

    /// The member, or nil when it is missing or null.
    func optional(_ key: String) throws(NormalizationError) -> JSONReader? {
        try Self.mapped { () throws(JSONPathError) in try reader.optional(key).map(JSONReader.init) }
    }

    func required(_ key: String) throws(NormalizationError) -> JSONReader {
        try Self.mapped { () throws(JSONPathError) in JSONReader(try reader.required(key)) }
    }

    func elements() throws(NormalizationError) -> [JSONReader] {
        try Self.mapped { () throws(JSONPathError) in try reader.elements().map(JSONReader.init) }
    }

    /// The same words as the envelope decoder's, which refuses NUL because PostgreSQL text cannot hold it.
    static let nulProblem = JSONPathReader.nulProblem

    /// A string; NUL is refused here, under the sender's field, rather than later under the event's.
    func string() throws(NormalizationError) -> String {
        try Self.mapped { () throws(JSONPathError) in try reader.string() }
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
