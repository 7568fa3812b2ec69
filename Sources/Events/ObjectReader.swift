/// Reads the members of one JSON object by the event rules (SPEC 4.8), naming each field by its path in errors.
struct ObjectReader {
    let path: String
    let object: JSONObject

    /// A path segment for `key`, by the one path scheme of `JSONPathReader` (which outside inputs use too).
    static func path(_ parent: String, _ key: String) -> String { JSONPathReader.path(parent, key) }

    /// Wraps a value in double quotes for a message, as every JSON path error does.
    static func quoted(_ text: String) -> String { JSONPathReader.quoted(text) }

    /// Wraps `value` as an object at `path`, or fails with "must be an object".
    init(_ value: JSONValue, path: String) throws(EventDecodingError) {
        guard case .object(let object) = value else {
            throw EventDecodingError(field: path, problem: "must be an object, got \(value.typeName)")
        }
        self.path = path
        self.object = object
    }

    /// Rejects repeated and unknown members before any field is read, so a typo is reported as
    /// the typo rather than as the field it was meant to be.
    func checkMembers(allowed: [String]) throws(EventDecodingError) {
        if let duplicate = object.firstDuplicateKey {
            throw EventDecodingError(field: path, problem: "duplicate field \(Self.quoted(duplicate))")
        }
        // Each allowed name marks the member it finds; every member marked means every member is
        // allowed. Only otherwise (or past 64 members) is each member looked for in the list.
        if object.count <= 64 {
            var found: UInt64 = 0
            for name in allowed {
                if let position = object.position(of: name) { found |= 1 << UInt64(position) }
            }
            if found.nonzeroBitCount == object.count { return }
        }
        for key in object.keys where !allowed.contains(where: { $0.hasSameUTF8(as: key) }) {
            throw EventDecodingError(field: path, problem: "unknown field \(Self.quoted(key))")
        }
    }

    func fieldPath(_ key: String) -> String { Self.path(path, key) }

    /// The member's value, failing when it is missing or null.
    func required(_ key: String) throws(EventDecodingError) -> JSONValue {
        switch object[key] {
        case nil: throw EventDecodingError(field: fieldPath(key), problem: "missing")
        case .null?: throw EventDecodingError(field: fieldPath(key), problem: "must not be null")
        case let value?: return value
        }
    }

    /// The member's value; a null member counts as absent.
    func optional(_ key: String) -> JSONValue? {
        switch object[key] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func string(_ key: String) throws(EventDecodingError) -> String {
        let value = try required(key)
        // The common case without building the field's path (a String per field read).
        if case .string(let string) = value, !string.containsNUL { return string }
        return try Self.string(value, path: fieldPath(key))
    }

    func optionalString(_ key: String) throws(EventDecodingError) -> String? {
        guard let value = optional(key) else { return nil }
        if case .string(let string) = value, !string.containsNUL { return string }
        return try Self.string(value, path: fieldPath(key))
    }

    static func string(_ value: JSONValue, path: String) throws(EventDecodingError) -> String {
        guard case .string(let string) = value else {
            throw EventDecodingError(field: path, problem: "must be a string, got \(value.typeName)")
        }
        // PostgreSQL text cannot hold U+0000: refused here rather than stopping a worker later.
        // U+0000 is exactly the byte 0 in UTF-8.
        guard !string.containsNUL else {
            throw EventDecodingError(field: path, problem: JSONPathReader.nulProblem)
        }
        return string
    }

    func nonEmptyString(_ key: String) throws(EventDecodingError) -> String {
        let value = try string(key)
        if value.isEmpty { throw EventDecodingError(field: fieldPath(key), problem: "must not be empty") }
        return value
    }

    func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, as type: Value.Type) throws(EventDecodingError) -> Value
    where Value.RawValue == String {
        let text = try string(key)
        // Byte comparison: String equality is canonical equivalence, which is looser than the schema's `enum`.
        if let value = Value.allCases.first(where: { $0.rawValue.hasSameUTF8(as: text) }) {
            return value
        }
        let choices = Value.allCases.map { Self.quoted($0.rawValue) }.joined(separator: ", ")
        throw EventDecodingError(field: fieldPath(key), problem: "must be one of \(choices), got \(Self.quoted(text))")
    }

    func currency(_ key: String) throws(EventDecodingError) -> String {
        let text = try string(key)
        guard Self.isCurrencyCode(text.utf8) else {
            throw EventDecodingError(field: fieldPath(key), problem: "must be a 3-letter ISO 4217 code")
        }
        return text
    }

    /// Three uppercase ASCII letters (the decoder's fast path checks by the same rule).
    static func isCurrencyCode(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 3 && bytes.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// Reads a decimal string as the schemas define it: no sign, no exponent, no leading zeros,
    /// at most 20 integer and 18 fraction digits.
    func amount(_ key: String, mustBePositive: Bool) throws(EventDecodingError) -> DecimalNumber {
        // Built only for an error message: most reads succeed.
        var path: String { fieldPath(key) }
        let value = try required(key)
        let example = "must be a decimal string such as \"1490.00\""
        guard case .string(let text) = value else {
            throw EventDecodingError(field: path, problem: "\(example), got \(value.typeName)")
        }
        if text.utf8.first == UInt8(ascii: "-"), DecimalNumber(text) != nil {
            throw EventDecodingError(field: path, problem: "must not be negative, got \(Self.quoted(text))")
        }
        switch Self.amountShape(text.utf8) {
        case .malformed:
            throw EventDecodingError(field: path, problem: "\(example), got \(Self.quoted(text))")
        case .tooManyIntegerDigits:
            throw EventDecodingError(field: path, problem: "must have at most 20 integer digits")
        case .tooManyFractionDigits:
            throw EventDecodingError(field: path, problem: "must have at most 18 fraction digits")
        case .valid:
            break
        }
        // Safe: a valid shape is at most 38 plain digits.
        let number = DecimalNumber(text)!
        if mustBePositive, number.isZero {
            throw EventDecodingError(field: path, problem: "must be greater than 0")
        }
        return number
    }

    /// How a decimal string fits the schemas' amounts, checked in this order.
    enum AmountShape: Equatable {
        case valid
        /// Not plain digits with at most one point, a digit on each side of it and no leading zero.
        case malformed
        case tooManyIntegerDigits
        case tooManyFractionDigits
    }

    /// The shape of an amount's text: at most 20 integer and 18 fraction digits (the decoder's
    /// fast path checks by the same rule).
    static func amountShape(_ bytes: some Collection<UInt8>) -> AmountShape {
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let integerPart = bytes[..<(point ?? bytes.endIndex)]
        let fractionPart = point.map { bytes[bytes.index(after: $0)...] } ?? bytes[bytes.endIndex...]
        guard !integerPart.isEmpty, integerPart.allSatisfy(isDigit),
              point == nil || (!fractionPart.isEmpty && fractionPart.allSatisfy(isDigit)),
              integerPart.count == 1 || integerPart.first != UInt8(ascii: "0")
        else { return .malformed }
        if integerPart.count > 20 { return .tooManyIntegerDigits }
        if fractionPart.count > 18 { return .tooManyFractionDigits }
        return .valid
    }

    /// Reads a JSON integer in `0...AdStats.maximumCount`. Like JSON Schema's `integer`, a number
    /// with a zero fraction or an exponent (`10.0`, `1e2`) is an integer; the check is exact, on the literal.
    func count(_ key: String) throws(EventDecodingError) -> Int64 {
        // Built only for an error message: most reads succeed.
        var path: String { fieldPath(key) }
        let value = try required(key)
        guard case .number(let literal) = value else {
            throw EventDecodingError(field: path, problem: "must be an integer, got \(value.typeName)")
        }
        switch Self.integerValue(ofLiteral: literal, limit: AdStats.maximumCount) {
        case .integer(let integer) where integer < 0:
            throw EventDecodingError(field: path, problem: "must be at least 0, got \(literal)")
        case .integer(let integer):
            return integer
        case .notInteger:
            throw EventDecodingError(field: path, problem: "must be an integer, got \(literal)")
        case .tooLarge(let negative):
            throw EventDecodingError(field: path, problem: negative ? "must be at least 0, got \(literal)" : "must be at most \(AdStats.maximumCount), got \(literal)")
        }
    }

    enum IntegerLiteralValue: Equatable {
        case integer(Int64)
        case notInteger
        case tooLarge(negative: Bool)
    }

    /// The exact value of a JSON number literal if it is a whole number with magnitude at most `limit`.
    static func integerValue(ofLiteral literal: String, limit: Int64) -> IntegerLiteralValue {
        var bytes = Array(literal.utf8)[...]
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            // The parser guarantees the grammar; a huge exponent only needs its sign and size.
            let text = String(decoding: bytes[(e + 1)...], as: UTF8.self)
            exponent = Int(text) ?? (text.hasPrefix("-") ? Int.min / 2 : Int.max / 2)
            bytes = bytes[..<e]
        }
        var digits = [UInt8]()
        for byte in bytes {
            if byte == UInt8(ascii: ".") { continue }
            digits.append(byte - UInt8(ascii: "0"))
        }
        if let point = bytes.firstIndex(of: UInt8(ascii: ".")) {
            exponent -= bytes.endIndex - point - 1
        }
        // Value = digits × 10^exponent. Drop leading zeros; trailing zeros move into the exponent.
        while let first = digits.first, first == 0 { digits.removeFirst() }
        while let last = digits.last, last == 0 { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { return .integer(0) }
        if exponent < 0 { return .notInteger }
        if digits.count + exponent > 19 { return .tooLarge(negative: negative) }
        var magnitude: Int64 = 0
        for digit in digits {
            let (product, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return .tooLarge(negative: negative) }
            magnitude = sum
        }
        for _ in 0..<exponent {
            let (product, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return .tooLarge(negative: negative) }
            magnitude = product
        }
        if magnitude > limit { return .tooLarge(negative: negative) }
        return .integer(negative ? -magnitude : magnitude)
    }

    /// Reads an RFC 3339 timestamp with an offset, returning the instant and the original text.
    func timestamp(_ key: String) throws(EventDecodingError) -> (Instant, String) {
        // Built only for an error message: most reads succeed.
        var path: String { fieldPath(key) }
        let text = try string(key)
        switch Instant.parse(text) {
        case .success(let instant):
            return (instant, text)
        case .failure(.missingOffset):
            throw EventDecodingError(field: path, problem: "must have a UTC offset (\"Z\" or \"+03:00\"), got \(Self.quoted(text))")
        case .failure(.tooManyFractionDigits):
            throw EventDecodingError(field: path, problem: "must have at most 6 fraction digits, got \(Self.quoted(text))")
        case .failure(.outOfRange):
            throw EventDecodingError(field: path, problem: "is not a valid date and time, got \(Self.quoted(text))")
        case .failure(.malformed):
            throw EventDecodingError(field: path, problem: "must be an RFC 3339 timestamp with offset such as \"2026-01-15T09:03:42+03:00\", got \(Self.quoted(text))")
        }
    }

    func date(_ key: String) throws(EventDecodingError) -> LocalDate {
        // Built only for an error message: most reads succeed.
        var path: String { fieldPath(key) }
        let text = try string(key)
        if let date = LocalDate(text) { return date }
        let bytes = Array(text.utf8)
        let shaped = bytes.count == 10 && bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-")
            && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
        if shaped {
            throw EventDecodingError(field: path, problem: "is not a valid calendar date, got \(Self.quoted(text))")
        }
        throw EventDecodingError(field: path, problem: "must be a date YYYY-MM-DD, got \(Self.quoted(text))")
    }
}
