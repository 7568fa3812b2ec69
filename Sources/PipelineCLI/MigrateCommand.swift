import ArgumentParser
import Foundation
import Migrations
import Postgres

/// `pipeline migrate`: brings the database schema up to date.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the SQL migrations the database lacks, re-create the bi views, and set up the read-only BI role.",
        discussion: """
            Safe to run twice, or from several processes at once. With BI_READER_PASSWORD set, the login
            role BI_READER_ROLE (default bi_reader) is created or its password updated; it can read the
            bi views and nothing else.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.migrate")
        let migrator = try Migrator(directory: try settings.resolvedMigrationsDirectory(), logger: logger)
        let connection = try PostgresConnection(connectionString: settings.databaseURL, logger: logger)
        defer { connection.close() }
        let environment = ProcessInfo.processInfo.environment
        let reader = environment[EnvironmentVariable.biReaderPassword].map {
            BIReader(role: environment[EnvironmentVariable.biReaderRole] ?? BIReader.defaultRole, password: $0)
        }
        let applied = try migrator.migrate(connection, biReader: reader)
        print(applied.isEmpty
            ? "database is up to date (\(migrator.migrations.count) migrations)"
            : "applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
    }
}
