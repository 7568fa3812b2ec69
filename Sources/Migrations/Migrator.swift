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
    let logger: Logger

    /// Reads every `NNNN_name.sql` file of `directory`.
    /// - Throws: `MigrationError` when a file name has no version or two files share one.
    public init(directory: URL, logger: Logger) throws {
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
        try self.init(migrations: migrations, logger: logger)
    }

    /// Uses the given migrations (ordered here by version).
    public init(migrations: [Migration], logger: Logger) throws {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version, previous.name, next.name)
        }
        self.migrations = sorted
        self.logger = logger
    }

    /// Applies what is missing; returns the names applied by this call.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [String] {
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
        return done
    }
}

/// Why the migrations directory could not be used.
public enum MigrationError: Error, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    case directoryNotFound(String)

    public var description: String {
        switch self {
        case .badFileName(let name): "migration file \(name): name must start with its version number, e.g. 0003_name.sql"
        case .duplicateVersion(let version, let first, let second): "migrations \(first) and \(second) share version \(version)"
        case .directoryNotFound(let path): "migrations directory not found: \(path) (set PIPELINE_MIGRATIONS_DIR)"
        }
    }
}
