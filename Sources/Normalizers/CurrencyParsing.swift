import Foundation

/// Currency codes as platforms send them (`rub`, `RUB`, empty), checked before they reach the event schema.
enum CurrencyParsing {
    /// GetCourse accounts default to roubles and leave the variable empty when the order has no other currency.
    static let defaultCurrency = "RUB"

    static func code(_ raw: String?, field: String) throws(NormalizationError) -> String {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return defaultCurrency }
        let code = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.utf8.count == 3, code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw NormalizationError(field: field, problem: "must be a 3-letter ISO 4217 code, got \(quoted(raw))")
        }
        return code
    }
}
