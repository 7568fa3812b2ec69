import Events

/// Reads money the way platforms write it, into the plain decimal the event schema accepts.
enum AmountParsing {
    /// Accepts `14900`, `14900.50`, `"14 900"` and `"299,7"`: spaces of any kind (GetCourse's `cost_money`
    /// groups thousands with a space) are dropped and a single decimal comma becomes a point.
    /// With `allowCurrencySuffix`, a trailing currency word or sign (`"14 900 руб."`, `"$"`) is dropped too.
    /// Negative amounts are refused: a refund is a status, never a negative number.
    static func parse(_ raw: String, field: String, allowCurrencySuffix: Bool = false) throws(NormalizationError) -> DecimalNumber {
        var text = String(raw.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
        if allowCurrencySuffix {
            while let last = text.unicodeScalars.last, !("0"..."9").contains(last) { text.unicodeScalars.removeLast() }
            while let first = text.unicodeScalars.first, !("0"..."9").contains(first), first != "-" { text.unicodeScalars.removeFirst() }
        }
        if !text.contains("."), text.filter({ $0 == "," }).count == 1 {
            text = text.replacingOccurrences(of: ",", with: ".")
        }
        guard let number = DecimalNumber(text) else {
            throw NormalizationError(field: field, problem: "must be a decimal number, got \(quoted(raw))")
        }
        if number.isNegative {
            throw NormalizationError(field: field, problem: "must not be negative, got \(quoted(raw))")
        }
        let integerDigits = String(number.normalized.significand.magnitude).count - number.normalized.scale
        if integerDigits > 20 || number.scale > 18 {
            throw NormalizationError(field: field, problem: "is out of range, got \(quoted(raw))")
        }
        // Re-creating from the significand drops leading zeros ("007"), which the schema refuses.
        return DecimalNumber(significand: number.significand, scale: number.scale)
    }

    /// A JSON number literal (or a numeric string, as platforms sometimes send) as an exact decimal.
    static func parse(json value: JSONValue, field: String) throws(NormalizationError) -> DecimalNumber {
        switch value {
        case .number(let literal):
            guard !literal.contains(where: { $0 == "e" || $0 == "E" }) else {
                throw NormalizationError(field: field, problem: "must be a plain decimal number, got \(literal)")
            }
            return try parse(literal, field: field)
        case .string(let text):
            return try parse(text, field: field)
        default:
            throw NormalizationError(field: field, problem: "must be a number, got \(value.typeName)")
        }
    }
}
