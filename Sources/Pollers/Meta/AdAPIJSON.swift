import Foundation
import Events

/// One value of an ad network's JSON answer with its path: Events' `JSONPathReader` whose every
/// surprise becomes a `PollError.badResponse` that names the field and the problem.
///
/// Numbers stay literal text (Events' `JSONParser`), so counts and money never pass through `Double`.
/// The reads below the shared ones (ids, counts, money) are the networks' own shapes.
struct AdAPIJSON {
    let reader: JSONPathReader

    var value: JSONValue { reader.value }
    /// Where the value sits, e.g. `data[3].spend`; `$` for the whole document.
    var path: String { reader.path }

    init(value: JSONValue, path: String) {
        reader = JSONPathReader(value, path: path)
    }

    private init(_ reader: JSONPathReader) {
        self.reader = reader
    }

    /// Parses a whole answer; `what` names it in the error (`Meta insights page`), which says which
    /// request failed rather than a path.
    static func parse(_ body: Data, what: String) throws -> AdAPIJSON {
        do {
            return AdAPIJSON(value: try JSONParser.parse(Array(body)), path: "$")
        } catch {
            throw PollError.badResponse("\(what) is not JSON: \(error.message) at byte \(error.offset)")
        }
    }

    func bad(_ problem: String) -> PollError {
        .badResponse("\(path) \(problem)")
    }

    /// Runs a read of the shared reader, turning its error into the pollers' `"<path> <problem>"`.
    private static func mapped<T>(_ read: () throws(JSONPathError) -> T) throws -> T {
        do {
            return try read()
        } catch {
            throw PollError.badResponse("\(error.field) \(error.problem)")
        }
    }

    /// The member `key` of this object; nil when absent or null (the APIs leave out empty fields).
    func member(_ key: String) throws -> AdAPIJSON? {
        try Self.mapped { () throws(JSONPathError) in try reader.optional(key).map(AdAPIJSON.init) }
    }

    /// The member `key`, failing with "is missing" when it is absent or null.
    func required(_ key: String) throws -> AdAPIJSON {
        guard let value = try member(key) else { throw PollError.badResponse("\(reader.childPath(key)) is missing") }
        return value
    }

    func object() throws -> JSONObject {
        try Self.mapped { () throws(JSONPathError) in try reader.object() }
    }

    var isObject: Bool { reader.isObject }

    func array() throws -> [AdAPIJSON] {
        try Self.mapped { () throws(JSONPathError) in try reader.elements().map(AdAPIJSON.init) }
    }

    /// A string as the network sent it; NUL is not refused here, as before (an event carrying it is
    /// refused by the worker's decoder).
    func string() throws -> String {
        try Self.mapped { () throws(JSONPathError) in try reader.string(refusingNUL: false) }
    }

    /// A non-empty string of decimal digits: the shape of every id the networks send (as strings, or
    /// as JSON numbers by some clients' re-encoding, which are accepted when they are plain integers).
    func identifier() throws -> String {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let literal): text = literal
        default: throw bad("must be an id string, got \(value.typeName)")
        }
        guard !text.isEmpty, text.utf8.count <= 30, text.utf8.allSatisfy(Self.isDigit) else {
            throw bad("must be a string of digits, got \(Self.quoted(text))")
        }
        return text
    }

    /// A count in `0...AdStats.maximumCount`, sent as a digit string (int64 in JSON) or a plain integer.
    func count() throws -> Int64 {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let literal): text = literal
        default: throw bad("must be a count, got \(value.typeName)")
        }
        if text.hasPrefix("-"), text.utf8.dropFirst().allSatisfy(Self.isDigit), text.utf8.count > 1 {
            throw bad("must not be negative, got \(Self.quoted(text))")
        }
        guard !text.isEmpty, text.utf8.allSatisfy(Self.isDigit) else {
            throw bad("must be a whole number, got \(Self.quoted(text))")
        }
        guard text.utf8.count <= 16, let number = Int64(text), number <= AdStats.maximumCount else {
            throw bad("must be at most \(AdStats.maximumCount), got \(Self.quoted(text))")
        }
        return number
    }

    /// An amount of money as a decimal string (`"5339.5"`), exact; never negative, and within what an
    /// `ad_stats` event carries (20 integer and 18 fraction digits).
    func money() throws -> DecimalNumber {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let literal): text = literal
        default: throw bad("must be a decimal string, got \(value.typeName)")
        }
        guard let amount = DecimalNumber(text) else {
            throw bad("must be a decimal string such as \"12.34\", got \(Self.quoted(text))")
        }
        if amount.isNegative { throw bad("must not be negative, got \(Self.quoted(text))") }
        let integerDigits = String(amount.significand.magnitude).count - amount.scale
        if amount.scale > 18 || integerDigits > 20 {
            throw bad("has more digits than an amount can carry, got \(Self.quoted(text))")
        }
        return amount
    }

    /// A calendar day written `YYYY-MM-DD`.
    /// A name: empty is no name (nil), so an unnamed object never overwrites a known name downstream.
    func name() throws -> String? {
        let text = try string()
        return text.isEmpty ? nil : text
    }

    func day() throws -> LocalDate {
        let text = try string()
        guard let day = LocalDate(text) else { throw bad("must be a date YYYY-MM-DD, got \(Self.quoted(text))") }
        return day
    }

    /// An ISO 4217 code: three uppercase letters.
    func currency() throws -> String {
        let text = try string()
        guard text.utf8.count == 3, text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw bad("must be a 3-letter ISO 4217 code, got \(Self.quoted(text))")
        }
        return text
    }

    /// A whole JSON number such as an error code (`17`, `-3`), or nil when the value is something else.
    var integer: Int? {
        switch value {
        case .number(let literal), .string(let literal): Int(literal)
        default: nil
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Quotes an outside value for a message, cut short so a huge field cannot flood a log line.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "\"" + shown.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
