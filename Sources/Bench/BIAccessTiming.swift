import Foundation
import Logging
import Migrations
import Postgres

/// What the per-role narrowing of the `bi` views costs a BI query (SPEC §6): the report's and
/// dashboards' ad-level queries timed as a role granted every project and as a contractor granted
/// one network of one project, on the benchmark's data.
struct BIAccessTiming {
    static let project = "school-a"
    static let network = "vk_ads"

    /// The queries, with their parameters: a day series, the period summary, the traffic table,
    /// the creatives' curves and statuses.
    static let queries: [(name: String, sql: String)] = [
        ("funnel by day", "SELECT day, sum(spend), sum(registrations), sum(revenue) FROM bi.funnel_daily WHERE project = $1 AND day BETWEEN $2 AND $3 GROUP BY day ORDER BY day"),
        ("traffic_summary", "SELECT * FROM bi.traffic_summary($1, $2, $3)"),
        ("traffic_report", "SELECT * FROM bi.traffic_report WHERE project = $1 AND day BETWEEN $2 AND $3 ORDER BY day, network, campaign_id, ad_id"),
        ("creative_daily", "SELECT * FROM bi.creative_daily WHERE project = $1 AND day BETWEEN $2 AND $3"),
        ("creative_burnout", "SELECT * FROM bi.creative_burnout WHERE project = $1"),
    ]

    /// The views that read every id of a project at query time (people, their activity, chat
    /// members): what keeping those ids as logs of arrays (migration 0013) costs a BI query.
    static let populationQueries: [(name: String, sql: String)] = [
        ("cohorts_monthly", "SELECT * FROM bi.cohorts_monthly WHERE project = $1"),
        ("retention_monthly", "SELECT * FROM bi.retention_monthly WHERE project = $1"),
        ("community_conversion", "SELECT * FROM bi.community_conversion WHERE project = $1"),
        ("repeat_purchases", "SELECT * FROM bi.repeat_purchases WHERE project = $1"),
        ("chat_daily", "SELECT * FROM bi.chat_daily WHERE project = $1"),
    ]

    /// The median of `runs` of each population query as the all-projects role (after `measure`
    /// granted it): the total in ms and each query's.
    static func measurePopulation(databaseURL: String, logger: Logger, runs: Int = 3) throws -> (milliseconds: Double, detail: String) {
        let reader = try connect("bench_reader", databaseURL: databaseURL, logger: logger)
        defer { reader.close() }
        var total = 0.0, rows = 0
        var parts: [String] = []
        for (name, sql) in populationQueries {
            rows += try reader.execute(sql, [project]).rows.count
            let time = try median(runs) { _ = try reader.execute(sql, [project]) }
            total += time
            parts.append("\(name) \(format(time))")
        }
        return (total, "median of \(runs) runs as the all-projects role, \(project), ms: " + parts.joined(separator: ", ")
                    + "; \(rows) rows")
    }

    struct Result {
        var readerMilliseconds: Double
        var contractorMilliseconds: Double
        var detail: String
    }

    static func measure(databaseURL: String, logger: Logger, runs: Int = 5) throws -> Result {
        let admin = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { admin.close() }
        let access = AccessControl()
        try access.grant([AccessGrant(role: "bench_reader", project: nil)], password: "bench", in: admin)
        try access.grant(try AccessControl.grants(role: "bench_contractor", project: project, network: network, campaigns: []),
                         password: "bench", in: admin)
        let reader = try connect("bench_reader", databaseURL: databaseURL, logger: logger)
        let contractor = try connect("bench_contractor", databaseURL: databaseURL, logger: logger)
        defer {
            reader.close()
            contractor.close()
        }
        let parameters: [any PostgresEncodable] = [project, "2026-01-01", "2026-12-31"]
        var readerTotal = 0.0, contractorTotal = 0.0, rows = (reader: 0, contractor: 0)
        var parts: [String] = []
        for (name, sql) in queries {
            let limited = sql.contains("$2") ? parameters : [project]
            // One untimed run each, so both roles meet warm caches; then the median of `runs`.
            rows.reader += try reader.execute(sql, limited).rows.count
            rows.contractor += try contractor.execute(sql, limited).rows.count
            let readerMedian = try median(runs) { _ = try reader.execute(sql, limited) }
            let contractorMedian = try median(runs) { _ = try contractor.execute(sql, limited) }
            readerTotal += readerMedian
            contractorTotal += contractorMedian
            parts.append("\(name) \(format(readerMedian))/\(format(contractorMedian))")
        }
        return Result(
            readerMilliseconds: readerTotal, contractorMilliseconds: contractorTotal,
            detail: "median of \(runs) runs, ms as the all-projects role / as a contractor of \(network) in \(project): "
                + parts.joined(separator: ", ") + "; rows \(rows.reader) / \(rows.contractor)")
    }

    /// A connection as `role` (password `bench`, as `measure` grants it) to the bench's database.
    private static func connect(_ role: String, databaseURL: String, logger: Logger) throws -> PostgresConnection {
        try PostgresConnection(
            connectionString: databaseURL.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role):bench@"),
            logger: logger)
    }

    private static func median(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let started = ContinuousClock.now
            try body()
            let elapsed = started.duration(to: .now)
            times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
        return times.sorted()[times.count / 2]
    }

    private static func format(_ milliseconds: Double) -> String { String(format: "%.1f", milliseconds) }
}
