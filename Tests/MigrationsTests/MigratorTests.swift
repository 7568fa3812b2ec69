import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing

@Suite("migrations")
struct MigratorTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/migrations")

    @Test("applied once each, in order; a second run applies nothing")
    func idempotent() throws {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "migrate")
        let connection = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        defer { connection.close() }
        let migrator = try Migrator(directory: Self.directory, logger: Logger(label: "test"))
        let names = migrator.migrations.map(\.name)
        #expect(names == names.sorted())
        #expect(try migrator.migrate(connection) == names)
        #expect(try migrator.migrate(connection) == [])
        let recorded = try connection.execute("SELECT name FROM pipeline.schema_migrations ORDER BY version").rows
            .map { try $0.decode(0, as: String.self) }
        #expect(recorded == names)
    }

    @Test("two processes at once: each migration applied exactly once")
    func concurrent() async throws {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "migrate")
        let migrator = try Migrator(directory: Self.directory, logger: Logger(label: "test"))
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let connection = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
                    defer { connection.close() }
                    return try migrator.migrate(connection)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.flatMap { $0 }.sorted() == migrator.migrations.map(\.name).sorted())
    }

    @Test("a file name without a version is refused, naming the file")
    func badName() throws {
        #expect(throws: MigrationError.self) {
            try Migrator(migrations: [
                .init(version: 1, name: "0001_a.sql", sql: ""), .init(version: 1, name: "0001_b.sql", sql: ""),
            ], logger: Logger(label: "test"))
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("SELECT 1;".utf8).write(to: directory.appendingPathComponent("init.sql"))
        do {
            _ = try Migrator(directory: directory, logger: Logger(label: "test"))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "migration file init.sql: name must start with its version number, e.g. 0003_name.sql")
        }
    }
}

@Suite("the read-only BI role")
struct BIReaderTests {
    @Test("reads the bi views and functions, and is refused everything else")
    func readsOnlyBI() throws {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "bireader")
        let admin = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        defer { admin.close() }
        let migrator = try Migrator(directory: MigratorTests.directory, logger: Logger(label: "test"))
        try migrator.migrate(admin, biReader: BIReader(role: "bi_reader_test", password: "r3ader-secret"))
        // Applying the views again (as a rebuild does) keeps the grants.
        try migrator.applyViews(admin, readerRole: "bi_reader_test")

        let readerURL = url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://bi_reader_test@")
        let reader = try PostgresConnection(connectionString: readerURL, logger: Logger(label: "test"))
        defer { reader.close() }
        #expect(try reader.execute("SELECT count(*) FROM bi.funnel_daily").rows[0][0] == "0")
        #expect(try reader.execute("SELECT count(*) FROM bi.traffic_summary('p', '2026-01-01', '2026-01-31')").rows[0][0] == "0")
        for table in ["pipeline.users_log", "pipeline.funnel_daily", "pipeline.consumer_offsets", "pipeline.applied_batches", "pipeline.worker_lease",
                      "pipeline.fx_rates"] {
            do {
                _ = try reader.execute("SELECT * FROM \(table)")
                Issue.record("\(table) was readable by the BI role")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(table): \(error)")
            }
        }
        do {
            _ = try reader.execute("CREATE TABLE bi.sneaky (x int)")
            Issue.record("the BI role could create a table in bi")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42501")
        }
    }
}
