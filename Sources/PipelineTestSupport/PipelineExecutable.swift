import Foundation

/// The `pipeline` executable that tests run as a real subprocess.
public enum PipelineExecutable {
    /// The executable built beside the test bundle (or named by `PIPELINE_BIN`).
    public static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["PIPELINE_BIN"] { return URL(fileURLWithPath: path) }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pipeline")
        guard FileManager.default.isExecutableFile(atPath: besideTests.path) else {
            throw Missing(path: besideTests.path)
        }
        return besideTests
    }

    /// Thrown when the executable was not built.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "pipeline executable not found at \(path): build with `swift build --build-tests`" }
    }

    /// A TCP port on 127.0.0.1 nobody listens on now (the kernel's pick for port 0).
    public static func freePort() throws -> Int {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c",
                            "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()"]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        python.waitUntilExit()
        return Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

/// Runs a blocking body (libpq, librdkafka, subprocess waits) on a thread of its own, so tests that
/// run for a minute in parallel never hold the cooperative pool's few threads.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
