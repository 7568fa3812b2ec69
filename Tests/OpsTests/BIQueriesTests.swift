import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing

/// Every SQL statement a BI tool of the stack sends: the business dashboard's panels and
/// variables (Grafana) and the saved questions (Metabase), expanded for one project and month.
enum BIQueries {
    static let from = "2026-10-01T00:00:00Z"
    static let to = "2026-10-31T23:59:59Z"

    /// The business dashboard's multi-select variables with "All" chosen: their `allValue`, which Grafana
    /// inserts as it is.
    static let allChosen = ["product": "'__all__'", "offer": "'__all__'", "tag_kind": "'__all__'", "tag_value": "'__all__'",
                            "funnel": "'__all__'"]
    /// The same with some values chosen, formatted as Grafana formats a multi-value variable for SQL: each
    /// value single-quoted with its quotes doubled, joined by commas; '' is an order without a product or tag kind.
    static let someChosen = ["product": "'Course A',''", "offer": "'it''s VIP'", "tag_kind": "'launch','flow',''",
                             "tag_value": "'2026-10'", "funnel": "'webinar',''"]

    /// Every query, the dashboard's once with "All" chosen in every variable and once with some values chosen.
    static func all(project: String) throws -> [(label: String, sql: String)] {
        var queries: [(String, String)] = []
        for query in try OpsFiles.dashboardQueries() where query.dataSource == "bi-postgres" {
            for (choice, variables) in [("all", allChosen), ("some", someChosen)] {
                queries.append(("\(query.description) [\(choice)]", try GrafanaSQL.expand(
                    query.text, from: from, to: to, variables: variables.merging(["project": project]) { $1 })))
            }
        }
        for question in try OpsFiles.metabaseQuestions() {
            queries.append(("metabase \(question.name)", question.sql))
        }
        return queries
    }

    /// A migrated database with the read-only role, and a connection as that role.
    static func migratedDatabase(prefix: String) throws -> (adminURL: String, reader: PostgresConnection) {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: prefix)
        let quiet = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let admin = try PostgresConnection(connectionString: url, logger: quiet)
        defer { admin.close() }
        let migrator = try Migrator(directory: OpsFiles.url("schemas/migrations"), logger: quiet)
        try migrator.migrate(admin, biReader: BIReader(role: readerRole, password: "ops-r3ader"))
        let reader = try PostgresConnection(
            connectionString: url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(readerRole)@"),
            logger: quiet)
        return (url, reader)
    }

    /// Roles belong to the whole server: a name of this suite's own, so other suites' roles are untouched.
    static let readerRole = "bi_reader_ops"
}

@Suite("BI queries as the read-only role")
struct BIQueriesTests {
    @Test("every Grafana and Metabase query runs as the read-only BI role on a freshly migrated database")
    func queriesRunOnEmptyViews() throws {
        let (_, reader) = try BIQueries.migratedDatabase(prefix: "ops_bi_empty")
        defer { reader.close() }
        let queries = try BIQueries.all(project: "demo-school")
        // Business dashboard: 15 panels + 6 variables; engagement dashboard: 7 panels + 1 variable; each with
        // All and with some values chosen; Metabase: 7 questions.
        #expect(queries.count == (21 + 8) * 2 + 7)
        for (label, sql) in queries {
            do {
                _ = try reader.execute(sql)
            } catch {
                Issue.record("\(label): \(error)\n\(sql)")
            }
        }
    }
}
