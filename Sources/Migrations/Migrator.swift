import Foundation
import Logging
import Postgres

/// Applies the SQL files of a migrations directory in order, once each, recording them in
/// `pipeline.schema_migrations`.
///
/// Safe to run twice and from several processes at once: the whole run holds a session-level
/// advisory lock, and each file is applied in its own transaction together with its record.
public struct Migrator: Sendable {
    /// A migration file: `NNNN_name.sql`, ordered by its number.
    public struct Migration: Sendable, Equatable {
        public var version: Int
        public var name: String
        public var sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    /// Arbitrary but fixed: every process of the pipeline agrees on it.
    static let advisoryLockKey: Int64 = 7_311_920_451

    public let migrations: [Migration]
    /// SQL files re-applied after the migrations on every run (the `bi` views), in name order.
    public let viewScripts: [Migration]
    let logger: Logger

    /// Reads every `NNNN_name.sql` file of `directory`, and the view scripts of `viewsDirectory`
    /// (default: `views` beside `directory`, if it exists).
    /// - Throws: `MigrationError` when a file name has no version or two files share one.
    public init(directory: URL, viewsDirectory: URL? = nil, logger: Logger) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for name in names {
            guard let version = Int(name.prefix { $0.isNumber }), name.first?.isNumber == true else {
                throw MigrationError.badFileName(name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        let views = viewsDirectory ?? directory.deletingLastPathComponent().appendingPathComponent("views")
        var viewScripts: [Migration] = []
        if FileManager.default.fileExists(atPath: views.path) {
            for name in try FileManager.default.contentsOfDirectory(atPath: views.path).filter({ $0.hasSuffix(".sql") }).sorted() {
                viewScripts.append(Migration(
                    version: 0, name: name,
                    sql: try String(contentsOf: views.appendingPathComponent(name), encoding: .utf8)))
            }
        }
        try self.init(migrations: migrations, viewScripts: viewScripts, logger: logger)
    }

    /// Uses the given migrations (ordered here by version) and view scripts.
    public init(migrations: [Migration], viewScripts: [Migration] = [], logger: Logger) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version, previous.name, next.name)
        }
        self.migrations = sorted
        self.viewScripts = viewScripts
        self.logger = logger
    }

    /// Applies what is missing, then the view scripts; creates or updates the read-only BI
    /// role when `biReader` is given. Returns the names of the migrations applied by this call.
    @discardableResult
    public func migrate(_ connection: PostgresConnection, biReader: BIReader? = nil) throws -> [String] {
        try connection.execute("SELECT pg_advisory_lock($1)", [Self.advisoryLockKey])
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", [Self.advisoryLockKey]) }
        try connection.executeScript("""
            CREATE SCHEMA IF NOT EXISTS pipeline;
            CREATE TABLE IF NOT EXISTS pipeline.schema_migrations (
                version    int PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """)
        let applied = Set(try connection.execute("SELECT version FROM pipeline.schema_migrations").rows
            .map { try $0.decode(0, as: Int.self) })
        var done: [String] = []
        for migration in migrations where !applied.contains(migration.version) {
            try connection.transaction {
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO pipeline.schema_migrations (version, name) VALUES ($1, $2)",
                    [migration.version, migration.name])
            }
            logger.info("migration applied", metadata: ["migration": "\(migration.name)"])
            done.append(migration.name)
        }
        if let biReader { try biReader.createOrUpdate(connection) }
        try applyViews(connection, readerRole: biReader?.role ?? BIReader.defaultRole)
        return done
    }

    /// Re-creates the `bi` views over the tables of schema `pipeline` as they are now, and grants
    /// what they may see: the reader role (if it exists) every project's rows, and every role of
    /// `pipeline.access_grants` its grants' rows again (the views are new objects). One transaction.
    public func applyViews(_ connection: PostgresConnection, readerRole: String = BIReader.defaultRole) throws {
        guard !viewScripts.isEmpty else { return }
        try connection.transaction {
            for script in viewScripts { try connection.executeScript(script.sql) }
            let exists = try connection.execute("SELECT 1 FROM pg_roles WHERE rolname = $1", [readerRole]).rows.count == 1
            if exists {
                // The default BI role keeps seeing everything: a grant of every project.
                try connection.execute(
                    "INSERT INTO pipeline.access_grants (role_name, project) VALUES ($1, NULL) ON CONFLICT DO NOTHING",
                    [readerRole])
            }
            for row in try connection.execute("""
                SELECT DISTINCT g.role_name FROM pipeline.access_grants g JOIN pg_roles r ON r.rolname = g.role_name
                ORDER BY 1
                """).rows
            {
                try AccessControl.grantPrivileges(to: try row.decode(0, as: String.self), connection)
            }
        }
    }
}

/// The read-only role BI tools connect as: it can read schema `bi` and nothing else.
public struct BIReader: Sendable {
    /// Default `bi_reader`.
    public static let defaultRole = "bi_reader"
    public var role: String
    /// From the environment only (`BI_READER_PASSWORD`).
    public var password: String

    public init(role: String = BIReader.defaultRole, password: String) {
        self.role = role
        self.password = password
    }

    /// Creates the login role, or sets its password if it exists. Roles belong to the whole
    /// server, so a concurrent creation by another database's migrate is expected and tolerated.
    func createOrUpdate(_ connection: PostgresConnection) throws {
        for attempt in 0..<3 {
            let exists = try connection.execute("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]).rows.count == 1
            do {
                // The name and the password are quoted server-side; neither is interpolated here.
                try AccessControl.run(
                    exists ? "ALTER ROLE %I LOGIN PASSWORD %L" : "CREATE ROLE %I LOGIN PASSWORD %L", role, password, connection)
                return
            } catch let error as PostgresError where ["42710", "23505", "XX000"].contains(error.sqlState ?? "") && attempt < 2 {
                continue
            }
        }
    }
}

/// Why the migrations directory could not be used.
public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    case directoryNotFound(String)
    /// A grant, revoke or role name refused before PostgreSQL is asked; the text names the option.
    case access(String)

    public var description: String {
        switch self {
        case .badFileName(let name): "migration file \(name): name must start with its version number, e.g. 0003_name.sql"
        case .duplicateVersion(let version, let first, let second): "migrations \(first) and \(second) share version \(version)"
        case .directoryNotFound(let path): "migrations directory not found: \(path) (set PIPELINE_MIGRATIONS_DIR)"
        case .access(let problem): problem
        }
    }
}
