import Foundation
import Events

extension Oracle {
    /// Columns holding ratios: rounded to 6 decimals (half away from zero) before normalizing, since
    /// PostgreSQL's numeric division picks its own precision.
    package static let ratioColumns: Set<String> = [
        "cpc", "cpr", "cpa", "cpo", "roas", "romi", "drr", "ctr", "cr_visit", "cr_order", "cr_paid",
        "conversion", "delivery_rate", "open_rate", "click_rate", "unsubscribe_rate", "ltv", "avg_check",
        "romi_first", "romi_deal", "completion_rate", "retention", "repeat_rate",
    ]
    /// Columns passed through as they are (text keys and dates).
    package static let textColumns: Set<String> = [
        "project", "network", "campaign_id", "ad_id", "manager_id", "channel", "letter_id", "chat_id", "status",
        "day", "month", "cohort_month", "first_day", "last_day", "product", "offer", "tag_kind", "tag_value", "funnel",
        "campaign_name", "ad_group_id", "ad_group_name", "ad_name", "name", "course_id", "lesson_id",
    ]
    package static let booleanColumns: Set<String> = ["chat_active"]

    /// Columns that are neither key nor measure: they do not make a row "non-zero" (SPEC 4.8 "Rows").
    package static let nonMeasureColumns: [String: Set<String>] = [
        "creative_daily": ["cum_spend", "cum_revenue", "cum_profit"],
        "creative_burnout": ["first_day", "last_day", "status"],
        "cohorts_monthly": ["months_since"],
    ]

    /// The normalized text of one value as PostgreSQL's text output gives it (nil for NULL).
    package static func normalize(column: String, postgresText: String?) -> String? {
        guard let text = postgresText else { return nil }
        if textColumns.contains(column) {
            // A date column may come back as a timestamp if cast loosely: keep the date part.
            if ["day", "month", "cohort_month", "first_day", "last_day"].contains(column), text.count > 10,
               LocalDate(String(text.prefix(10))) != nil {
                return String(text.prefix(10))
            }
            return text
        }
        if booleanColumns.contains(column) {
            switch text {
            case "t", "true", "TRUE": return "true"
            case "f", "false", "FALSE": return "false"
            default: return text
            }
        }
        guard isDecimalText(text) else { return text }
        if ratioColumns.contains(column) { return normalizeNumber(roundText(text, places: 6)) }
        return normalizeNumber(text)
    }

    /// A whole row from PostgreSQL text, normalized column by column.
    package static func normalize(row: [String: String?]) -> Row {
        var out: Row = [:]
        for (column, value) in row { out[column] = normalize(column: column, postgresText: value) }
        return out
    }

    package static func isDecimalText(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard !s.isEmpty, parts.count <= 2, !parts[0].isEmpty else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// Rounds decimal text half away from zero to `places` fraction digits, on the digits themselves
    /// (no length limit).
    package static func roundText(_ text: String, places: Int) -> String {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let integer = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard fraction.count > places else { return text }
        var digits = Array(integer + fraction.prefix(places)).map { Int($0.asciiValue! - 48) }
        let next = Int(Array(fraction)[places].asciiValue! - 48)
        if next >= 5 {
            var i = digits.count - 1
            var carry = 1
            while i >= 0 && carry == 1 {
                digits[i] += 1
                if digits[i] == 10 { digits[i] = 0 } else { carry = 0 }
                i -= 1
            }
            if carry == 1 { digits.insert(1, at: 0) }
        }
        let all = digits.map(String.init).joined()
        let intPart = String(all.prefix(all.count - places))
        let fracPart = String(all.suffix(places))
        return (negative ? "-" : "") + (intPart.isEmpty ? "0" : intPart) + (places > 0 ? "." + fracPart : "")
    }

    /// Strips trailing fraction zeros and a trailing '.', leading zeros, a '+', and turns "-0" into "0".
    package static func normalizeNumber(_ text: String) -> String {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        var integer = Substring(s.split(separator: ".", omittingEmptySubsequences: false)[0])
        var fraction = s.contains(".") ? Substring(s.split(separator: ".", omittingEmptySubsequences: false)[1]) : ""
        while fraction.last == "0" { fraction = fraction.dropLast() }
        while integer.count > 1 && integer.first == "0" { integer = integer.dropFirst() }
        if integer.isEmpty { integer = "0" }
        var result = String(integer)
        if !fraction.isEmpty { result += "." + fraction }
        if result == "0" { negative = false }
        return (negative ? "-" : "") + result
    }

    /// Whether every measure of the row is zero or NULL (such a row "may be kept or dropped", SPEC 4.8).
    package static func isAllZero(view: String, row: Row, key: [String]) -> Bool {
        let skip = Set(key).union(nonMeasureColumns[view] ?? []).union(textColumns).union(booleanColumns)
        for (column, value) in row where !skip.contains(column) {
            guard let value else { continue }
            if value != "0" { return false }
        }
        return true
    }

    private static func keyText(_ row: Row, _ key: [String]) -> String {
        key.map { column -> String in
            let value: String?? = row[column]
            switch value {
            case .none: return "\(column)=<absent>"
            case .some(.none): return "\(column)=NULL"
            case .some(.some(let v)): return "\(column)=\(v.debugDescription)"
            }
        }.joined(separator: ", ")
    }

    private static func show(_ value: String??) -> String {
        switch value {
        case .none: "<absent>"
        case .some(.none): "NULL"
        case .some(.some(let v)): v.debugDescription
        }
    }

    /// Human-readable differences between the oracle's rows and the view's (already normalized) rows;
    /// empty when they agree. Rows whose measures are all zero may be present on one side only.
    package static func compare(view: String, expected: [Row], actual: [Row], key: [String]) -> [String] {
        var problems: [String] = []
        func index(_ rows: [Row], _ side: String) -> [String: Row] {
            var result: [String: Row] = [:]
            for row in rows {
                let k = keyText(row, key)
                if result[k] != nil { problems.append("\(view): duplicate \(side) row for key (\(k))") }
                result[k] = row
            }
            return result
        }
        let expectedByKey = index(expected, "expected"), actualByKey = index(actual, "actual")
        for k in expectedByKey.keys.sorted() {
            let e = expectedByKey[k]!
            guard let a = actualByKey[k] else {
                if !isAllZero(view: view, row: e, key: key) {
                    problems.append("\(view): missing row (\(k)): expected \(describe(e, excluding: key))")
                }
                continue
            }
            for column in Set(e.keys).union(a.keys).sorted() where !key.contains(column) {
                let ev: String?? = e[column], av: String?? = a[column]
                if ev != av {
                    problems.append("\(view): row (\(k)) column \(column): expected \(show(ev)), actual \(show(av))")
                }
            }
        }
        for k in actualByKey.keys.sorted() where expectedByKey[k] == nil {
            let a = actualByKey[k]!
            if !isAllZero(view: view, row: a, key: key) {
                problems.append("\(view): extra row (\(k)): \(describe(a, excluding: key))")
            }
        }
        return problems
    }

    package func compare(view: String, expected: [Row], actual: [Row], key: [String]) -> [String] {
        Self.compare(view: view, expected: expected, actual: actual, key: key)
    }

    private static func describe(_ row: Row, excluding key: [String]) -> String {
        row.keys.filter { !key.contains($0) }.sorted().map { "\($0)=\(show(row[$0]))" }.joined(separator: " ")
    }

    /// The key columns of each view, for `compare`.
    package static let keys: [String: [String]] = [
        "funnel_daily": ["project", "day", "network", "campaign_id", "ad_id"],
        "traffic_report": ["project", "day", "network", "campaign_id", "ad_id"],
        "traffic_summary": ["network", "campaign_id", "ad_id"],
        "creative_daily": ["project", "network", "campaign_id", "ad_id", "day"],
        "creative_burnout": ["project", "network", "campaign_id", "ad_id"],
        "cohorts_monthly": ["project", "cohort_month", "month"],
        "managers_daily": ["project", "manager_id", "day"],
        "mail_daily": ["project", "channel", "letter_id", "day"],
        "mail_letters": ["project", "channel", "letter_id"],
        "chat_daily": ["project", "chat_id", "day"],
        "community_conversion": ["project", "cohort_month", "chat_active"],
        "overview_daily": ["project", "day"],
        "products_daily": ["project", "day", "product", "offer"],
        "order_tags_daily": ["project", "day", "tag_kind", "tag_value"],
        "deal_funnel_daily": ["project", "day", "funnel", "network", "campaign_id", "ad_id"],
        "attribution_compare": ["network", "campaign_id", "ad_id"],
        "ads": ["project", "network", "campaign_id", "ad_id"],
        "managers": ["project", "manager_id"],
        "learning_daily": ["project", "course_id", "lesson_id", "day"],
        "course_progress": ["project", "course_id"],
        "webinar_conversion": ["project", "course_id", "lesson_id"],
        "retention_monthly": ["project", "cohort_month", "month"],
        "repeat_purchases": ["project", "cohort_month"],
    ]
}
