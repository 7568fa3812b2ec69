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

    static func all(project: String) throws -> [(label: String, sql: String)] {
        var queries: [(String, String)] = []
        for query in try OpsFiles.dashboardQueries() where query.dataSource == "bi-postgres" {
            queries.append((query.description, try GrafanaSQL.expand(query.text, from: from, to: to, variables: ["project": project])))
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
        // Business dashboard: 10 panels + the project variable; Metabase: 5 questions.
        #expect(queries.count == 16)
        for (label, sql) in queries {
            do {
                _ = try reader.execute(sql)
            } catch {
                Issue.record("\(label): \(error)\n\(sql)")
            }
        }
    }
}
