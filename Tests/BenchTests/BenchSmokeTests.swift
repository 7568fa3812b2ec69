import Bench
import Foundation
import Testing

@Suite("pipeline bench, small")
struct BenchSmokeTests {
    /// The `pipeline` executable built beside this test bundle (or named by PIPELINE_BIN).
    static func pipelineExecutable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["PIPELINE_BIN"] { return path }
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pipeline").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("pipeline executable not found at \(path): build with `swift build --build-tests`")
        }
        return path
    }

    @Test("20,000 events: every figure printed and the exactly-once check passed (no timing asserted)")
    func smallRun() throws {
        let output = NSTemporaryDirectory() + "bench-smoke-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let bench = try ChildProcess(
            executable: try Self.pipelineExecutable(),
            arguments: ["bench", "--events", "20000", "--users", "2000", "--ingest-seconds", "1"],
            environment: ["LOG_LEVEL": "warning"], standardOutput: output, standardError: output + ".err")
        let usage = bench.wait()
        let table = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output + ".err")
        #expect(usage.status == 0, "bench failed: \(errors.suffix(3000))")
        let names = table.split(separator: "\n").dropFirst(2).compactMap { line in
            line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        for required in BenchTable.requiredNames + [
            "Python baseline", "worker / Python baseline", "ingest at 5,000 req/s", "ingest at saturation", "freshness",
        ] {
            #expect(names.contains(required), "row \(required) missing from:\n\(table)")
        }
        let exactlyOnce = table.split(separator: "\n").first { $0.hasPrefix("| exactly once ") } ?? ""
        #expect(exactlyOnce.contains("| passed "), "\(exactlyOnce)")
        #expect(exactlyOnce.contains("all 11 bi views equal the oracle"), "\(exactlyOnce)")
    }

    @Test("two worker processes in one group: the exactly-once check adds up both and compares every view")
    func twoWorkers() throws {
        let output = NSTemporaryDirectory() + "bench-smoke-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let bench = try ChildProcess(
            executable: try Self.pipelineExecutable(),
            arguments: ["bench", "--events", "10000", "--users", "1000", "--workers", "2", "--batch-size", "1000",
                        "--no-python", "--no-ingest", "--no-ceiling"],
            environment: ["LOG_LEVEL": "warning"], standardOutput: output, standardError: output + ".err")
        let usage = bench.wait()
        let table = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: output + ".err")
        #expect(usage.status == 0, "bench failed: \(errors.suffix(3000))")
        let row = { (name: String) in table.split(separator: "\n").first { $0.hasPrefix("| \(name) ") }.map(String.init) ?? "" }
        #expect(row("worker throughput").contains("2 processes of the real binary in one group"), "\(table)")
        #expect(row("exactly once").contains("| passed "), "\(row("exactly once"))")
        #expect(row("exactly once").contains("all 11 bi views equal the oracle"), "\(row("exactly once"))")
    }
}
