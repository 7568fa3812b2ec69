import Foundation
import PipelineTestSupport

/// A `pipeline` role running as its own process, as an operator would run it, its output in a file.
final class PipelineProcess {
    let process: ChildProcess
    let logFile: URL

    /// The `pipeline` executable built beside this test bundle (or named by PIPELINE_BIN).
    static func executable() throws -> URL { try PipelineExecutable.url() }

    init(_ arguments: [String], environment: [String: String]) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(arguments[0])-\(UUID()).log")
        process = try ChildProcess(
            executable: try Self.executable().path, arguments: arguments, environment: environment,
            standardOutput: .file(logFile.path), standardError: .standardOutput)
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.wait()
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits: the role's graceful shutdown path.
    func stop() -> Int32 {
        process.terminate()
        return process.wait().status
    }

    /// Runs a short-lived subcommand to completion and returns its output; a non-zero exit throws.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String]) throws -> String {
        try OpsFiles.run(try executable().path, arguments, environment: environment)
    }

    static func freePort() throws -> Int { try PipelineExecutable.freePort() }
}

/// One HTTP GET with curl: status and body (status 0 when nothing answers).
func httpGet(_ url: String) -> (status: Int, body: String) {
    let bodyFile = FileManager.default.temporaryDirectory.appendingPathComponent("ops-http-\(UUID())")
    defer { try? FileManager.default.removeItem(at: bodyFile) }
    guard let status = try? OpsFiles.run("/usr/bin/curl", ["-s", "-o", bodyFile.path, "-w", "%{http_code}", "--max-time", "10", url])
    else { return (0, "") }
    return (Int(status) ?? 0, (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? "")
}

/// Polls `condition` every 100 ms until it holds or `limit` passes; the caller asserts on the outcome.
/// A deadline to fail by, never a measured duration.
func eventually(within limit: Duration = .seconds(60), _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while clock.now < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return try condition()
}
