import Bench
import PipelineTestSupport
import Foundation
import Testing

@Suite("pipeline-bench, small")
struct BenchSmokeTests {
    /// The `pipeline-bench` executable built beside this test bundle.
    static func benchExecutable() throws -> String {
        let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pipeline-bench").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("pipeline-bench executable not found at \(path): build with `swift build --build-tests`")
        }
        return path
    }

    /// Runs `pipeline-bench` with `arguments` against the `pipeline` the other tests run (beside this test
    /// bundle, or named by PIPELINE_BIN); its table, and whether it exited 0 (with its error output).
    static func bench(_ arguments: [String]) throws -> (table: String, exitedCleanly: Bool, errors: String) {
        let output = NSTemporaryDirectory() + "bench-smoke-\(UUID().uuidString).txt"
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: output + ".err")
        }
        let bench = try ChildProcess(
            executable: try benchExecutable(), arguments: ["--pipeline", try PipelineExecutable.url().path] + arguments,
            environment: ["LOG_LEVEL": "warning"], standardOutput: .file(output), standardError: .file(output + ".err"))
        let usage = bench.wait()
        let table = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? ""
        return (table, usage.status == 0, String(errors.suffix(3000)))
    }

    /// The table's row of that figure, or "".
    static func row(_ name: String, of table: String) -> String {
        table.split(separator: "\n").first { $0.hasPrefix("| \(name) ") }.map(String.init) ?? ""
    }

    @Test("20,000 events: every figure printed and the exactly-once check passed (no timing asserted)")
    func smallRun() throws {
        let (table, exitedCleanly, errors) = try Self.bench(["--events", "20000", "--users", "2000", "--ingest-seconds", "1"])
        #expect(exitedCleanly, "bench failed: \(errors)")
        let names = table.split(separator: "\n").dropFirst(2).compactMap { line in
            line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        for required in BenchTable.requiredNames + [
            "Python baseline", "worker / Python baseline", "ingest at 5,000 req/s", "ingest at saturation", "freshness",
        ] {
            #expect(names.contains(required), "row \(required) missing from:\n\(table)")
        }
        let exactlyOnce = Self.row("exactly once", of: table)
        #expect(exactlyOnce.contains("| passed "), "\(exactlyOnce)")
        #expect(exactlyOnce.contains("all 21 bi views equal the oracle"), "\(exactlyOnce)")
        // Every event writes something (its applied id at least): a reading of 0 would mean stale statistics.
        let writes = Self.row("PostgreSQL writes per event", of: table)
        #expect(writes.contains(" rows, ") && !writes.contains("| 0.00 rows"), "\(writes)")
    }

    @Test("two worker processes in one group: the exactly-once check adds up both and compares every view")
    func twoWorkers() throws {
        let (table, exitedCleanly, errors) = try Self.bench([
            "--events", "10000", "--users", "1000", "--workers", "2", "--batch-size", "1000",
            "--no-python", "--no-ingest", "--no-ceiling",
        ])
        #expect(exitedCleanly, "bench failed: \(errors)")
        #expect(Self.row("worker throughput", of: table).contains("2 processes of the real binary in one group"), "\(table)")
        let exactlyOnce = Self.row("exactly once", of: table)
        #expect(exactlyOnce.contains("| passed "), "\(exactlyOnce)")
        #expect(exactlyOnce.contains("all 21 bi views equal the oracle"), "\(exactlyOnce)")
    }
}
