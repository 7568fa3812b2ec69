import Foundation

/// The `pipeline_*` metric names a PromQL expression reads, and the names a /metrics page exposes.
enum MetricNames {
    /// Every `pipeline_…` identifier of an expression (histogram series keep their `_bucket`,
    /// `_sum`, `_count` suffix, as the exposition does).
    static func referenced(in expression: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(expression)
        while let range = rest.range(of: "pipeline_") {
            // An identifier starts here only if the character before cannot continue one.
            let isStart = range.lowerBound == rest.startIndex || !isIdentifierCharacter(rest[rest.index(before: range.lowerBound)])
            var end = range.upperBound
            while end < rest.endIndex, isIdentifierCharacter(rest[end]) { end = rest.index(after: end) }
            if isStart { names.insert(String(rest[range.lowerBound..<end])) }
            rest = rest[end...]
        }
        return names
    }

    /// The sample names of a Prometheus text exposition (comments and blank lines skipped).
    static func exposed(in exposition: String) -> Set<String> {
        var names: Set<String> = []
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { isIdentifierCharacter($0) }
            if !name.isEmpty { names.insert(String(name)) }
        }
        return names
    }

    /// The value of each sample of `name` in an exposition, keyed by its label text (`topic="x"`), "" when it has none.
    static func samples(of name: String, in exposition: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            var labels = ""
            var valueText = rest
            if rest.hasPrefix("{"), let close = rest.firstIndex(of: "}") {
                labels = String(rest[rest.index(after: rest.startIndex)..<close])
                valueText = rest[rest.index(after: close)...]
            } else if !rest.hasPrefix(" ") {
                continue  // a longer name sharing the prefix
            }
            if let value = Double(valueText.trimmingCharacters(in: .whitespaces)) { result[labels] = value }
        }
        return result
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character == "_" || character == ":" || (character.isASCII && (character.isLetter || character.isNumber))
    }
}
