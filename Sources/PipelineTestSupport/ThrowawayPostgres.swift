import Foundation
import Logging
import Postgres

/// A real, disposable PostgreSQL server for tests, started with `ops/postgres-throwaway.sh` on a free port.
///
/// Use `shared` plus `createDatabase(prefix:)` for isolation by construction; create a private
/// instance only when a test disturbs the server itself (e.g. `restart()`).
// @unchecked Sendable: the only mutable state, `stopped`, is guarded by `lock`; everything else is a let.
public final class ThrowawayPostgres: @unchecked Sendable {
    /// The superuser URL of the server's default `postgres` database.
    public let url: String
    private let directory: String
    private let lock = NSLock()
    private var stopped = false

    /// One server for the whole test process, started on first use and stopped at process exit.
    public static let shared: ThrowawayPostgres = {
        do {
            let server = try ThrowawayPostgres()
            atexit { ThrowawayPostgres.shared.stop() }
            return server
        } catch {
            // Tests that need the database must fail loudly, never skip.
            fatalError("ThrowawayPostgres.shared could not start PostgreSQL: \(error)")
        }
    }()

    /// Runs initdb and starts a server in a fresh temporary directory (takes a second or two).
    /// It runs PostgreSQL's stock settings but `fsync=off` (see `ops/postgres-throwaway.sh`);
    /// `settings` (name → value) replace stock ones for a test that says why.
    public init(settings: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "throwaway-pg-" + UUID().uuidString.lowercased()
        let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        url = try Self.run("start", directory, options: options).trimmingCharacters(in: .whitespacesAndNewlines)
        guard url.hasPrefix("postgresql://") else {
            throw TestSupportError.throwawayPostgres(message: "unexpected output from start: \(url)")
        }
    }

    deinit {
        stop()
    }

    /// Immediate-mode restart on the same port: every open session is cut as in a crash.
    public func restart() throws {
        _ = try Self.run("restart", directory)
    }

    /// Stops the server and deletes its directory; safe to call more than once.
    public func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        lock.unlock()
        if !alreadyStopped { _ = try? Self.run("stop", directory) }
    }

    /// Creates a database with a unique name starting with `prefix` and returns its URL.
    public func createDatabase(prefix: String = "test") throws -> String {
        let safePrefix = prefix.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let name = String(String.UnicodeScalarView(safePrefix).prefix(40)) + "_" + suffix
        let admin = try PostgresConnection(connectionString: url, logger: Logger(label: "throwaway-postgres"))
        defer { admin.close() }
        // CREATE DATABASE takes no parameters; the name is built above from [a-z0-9_] only.
        try admin.execute("CREATE DATABASE \"\(name)\"")
        guard var components = URLComponents(string: url) else {
            throw TestSupportError.throwawayPostgres(message: "cannot parse \(url)")
        }
        components.path = "/" + name
        guard let databaseURL = components.string else {
            throw TestSupportError.throwawayPostgres(message: "cannot build a URL for \(name)")
        }
        return databaseURL
    }

    /// The repository root, found from this file's location: <root>/Sources/PipelineTestSupport/ThrowawayPostgres.swift.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the ops script, with output in files rather than pipes so a lingering server process
    /// holding an inherited descriptor can never make us wait forever (the child closes every
    /// descriptor above stderr anyway, and waiting is on the pid, not on a descriptor).
    private static func run(_ command: String, _ directory: String, options: String = "") throws -> String {
        let script = packageRoot.appendingPathComponent("ops/postgres-throwaway.sh").path
        let outputPath = NSTemporaryDirectory() + "throwaway-pg-out-" + UUID().uuidString
        let errorPath = outputPath + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let inherited = ProcessInfo.processInfo.environment["THROWAWAY_PG_OPTIONS"] ?? ""
        let process = try ChildProcess(
            executable: "/bin/bash", arguments: [script, command, directory],
            environment: [
                // The script's watcher stops the server when this process is gone, however it ends.
                "THROWAWAY_OWNER_PID": String(ProcessInfo.processInfo.processIdentifier),
                "THROWAWAY_PG_OPTIONS": [inherited, options].filter { !$0.isEmpty }.joined(separator: " "),
            ],
            standardOutput: .file(outputPath), standardError: .file(errorPath))
        let ended = process.wait()
        let stdout = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard ended.succeeded else {
            let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw TestSupportError.throwawayPostgres(
                message: "postgres-throwaway.sh \(command) exited with \(ended.status): \(stderr)")
        }
        return stdout
    }
}
