import Foundation

/// Expands a Grafana PostgreSQL panel query as Grafana does before sending it, for the macros and
/// variables our dashboards use; anything else left with a `$` is an error, so a new macro cannot
/// slip into a dashboard untested.
enum GrafanaSQL {
    struct UnknownMacro: Error, CustomStringConvertible {
        let text: String
        var description: String { "unknown Grafana macro or variable near: \(text)" }
    }

    /// - Parameters:
    ///   - from, to: the dashboard's time range, as Grafana renders it (RFC 3339, UTC).
    ///   - variables: template variables by name (single values, inserted raw as Grafana does).
    static func expand(_ sql: String, from: String, to: String, variables: [String: String]) throws -> String {
        var text = sql.replacingOccurrences(of: "$__timeFrom()", with: "'\(from)'")
            .replacingOccurrences(of: "$__timeTo()", with: "'\(to)'")
        while let start = text.range(of: "$__timeFilter(") {
            guard let close = text[start.upperBound...].firstIndex(of: ")") else { throw UnknownMacro(text: String(text[start.lowerBound...])) }
            let column = text[start.upperBound..<close].trimmingCharacters(in: .whitespaces)
            text.replaceSubrange(start.lowerBound...close, with: "\(column) BETWEEN '\(from)' AND '\(to)'")
        }
        // Longest names first, so that `$project_id` is never read as `$project` + `_id`.
        for (name, value) in variables.sorted(by: { $0.key.count > $1.key.count }) {
            text = text.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value)
        }
        if let dollar = text.firstIndex(of: "$") {
            throw UnknownMacro(text: String(text[dollar...].prefix(40)))
        }
        return text
    }
}
