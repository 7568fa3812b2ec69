import ArgumentParser
import Migrations
import Postgres

/// `pipeline migrate`: brings the database schema up to date.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the SQL migrations in schemas/migrations that the database lacks (safe to run twice, or concurrently).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.migrate")
        let migrator = try Migrator(directory: try settings.resolvedMigrationsDirectory(), logger: logger)
        let connection = try PostgresConnection(connectionString: settings.databaseURL, logger: logger)
        defer { connection.close() }
        let applied = try migrator.migrate(connection)
        print(applied.isEmpty
            ? "database is up to date (\(migrator.migrations.count) migrations)"
            : "applied \(applied.count) migration(s): \(applied.joined(separator: ", "))")
    }
}
