import Events
import Postgres

/// Compares every `bi` view in a database with the oracle's recomputation; used by tests, the chaos run and the benchmark.
package enum BIComparison {
    /// The views compared row by row (traffic_summary and attribution_compare, functions, are compared per requested period).
    package static let views = [
        "funnel_daily", "traffic_report", "creative_daily", "creative_burnout", "cohorts_monthly", "managers_daily",
        "mail_daily", "mail_letters", "chat_daily", "community_conversion", "overview_daily",
        "products_daily", "order_tags_daily", "deal_funnel_daily", "ads", "managers",
        "learning_daily", "course_progress", "webinar_conversion", "retention_monthly", "repeat_purchases",
    ]

    /// Reads a query's rows as normalized oracle rows.
    package static func read(_ connection: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> [Oracle.Row] {
        let result = try connection.execute(sql, parameters)
        return result.rows.map { row in
            var values: [String: String?] = [:]
            for (index, column) in result.columns.enumerated() { values[column] = row[index] }
            return Oracle.normalize(row: values)
        }
    }

    /// Every difference between the database and the oracle, over all views and the given periods'
    /// traffic summaries and attribution comparisons; empty when equal.
    package static func differences(
        _ connection: PostgresConnection, _ oracle: Oracle, summaries: [(project: String, from: LocalDate, to: LocalDate)] = []
    ) throws -> [String] {
        var differences: [String] = []
        for view in views {
            differences += Oracle.compare(
                view: view, expected: oracle.rows(view: view)!, actual: try read(connection, "SELECT * FROM bi.\(view)"),
                key: Oracle.keys[view]!)
        }
        for (project, from, to) in summaries {
            differences += Oracle.compare(
                view: "traffic_summary(\(project), \(from), \(to))",
                expected: oracle.trafficSummary(project: project, from: from, to: to),
                actual: try read(connection, "SELECT * FROM bi.traffic_summary($1, $2::date, $3::date)",
                                 [project, from.description, to.description]),
                key: Oracle.keys["traffic_summary"]!)
            differences += Oracle.compare(
                view: "attribution_compare(\(project), \(from), \(to))",
                expected: oracle.attributionCompare(project: project, from: from, to: to),
                actual: try read(connection, "SELECT * FROM bi.attribution_compare($1, $2::date, $3::date)",
                                 [project, from.description, to.description]),
                key: Oracle.keys["attribution_compare"]!)
        }
        return differences
    }
}
