import Foundation

/// Query parameters as GetCourse renders them: always strings, an unset template variable arriving as an empty string.
struct QueryReader {
    let parameters: [String: String]

    /// The trimmed value, or nil when it is absent or blank: an empty value means "not set" for a template.
    /// - Throws: for a NUL character, which no event may carry (PostgreSQL text cannot hold it), under the parameter's name.
    func value(_ key: String) throws(NormalizationError) -> String? {
        guard let raw = parameters[key] else { return nil }
        guard !raw.unicodeScalars.contains("\u{0}") else { throw NormalizationError(field: key, problem: JSONReader.nulProblem) }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The first of `keys` that has a value, with the name it came under (for error messages).
    func first(_ keys: [String]) throws(NormalizationError) -> (key: String, value: String)? {
        for key in keys { if let value = try value(key) { return (key, value) } }
        return nil
    }

    /// A required identifier: like `required`, and at most `IdentifierLimit.maximumLength` characters.
    func identifier(_ keys: [String]) throws(NormalizationError) -> (key: String, value: String) {
        let found = try required(keys)
        return (found.key, try IdentifierLimit.checked(found.value, field: found.key))
    }

    func required(_ keys: [String]) throws(NormalizationError) -> (key: String, value: String) {
        guard let found = try first(keys) else {
            let names = keys.count == 1 ? keys[0] : keys.joined(separator: " or ")
            throw NormalizationError(field: keys[0], problem: keys.count == 1 ? "missing" : "missing (expected \(names))")
        }
        return found
    }
}
