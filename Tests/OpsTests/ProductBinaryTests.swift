import Foundation
import PipelineTestSupport
import Testing

/// `pipeline` is what users deploy: the benchmark, the oracle and the test support are never linked into it.
@Suite("the product binary")
struct ProductBinaryTests {
    /// The prefix of every Swift symbol a module defines at its top level (`$s` + length + name).
    static func mangledPrefix(_ module: String) -> String { "$s\(module.utf8.count)\(module)" }

    /// The names of the symbols `binary` defines, read by nm.
    static func definedSymbols(of binary: String) throws -> Set<Substring> {
        let run = try ChildProcess.run("/usr/bin/env", ["nm", "--defined-only", binary])
        try #require(run.status == 0, "nm failed: \(run.standardError.prefix(2000))")
        // `address type name`: the name is the last field.
        return Set(run.standardOutput.split(separator: "\n").compactMap { $0.split(separator: " ").last })
    }

    static func defines(_ symbols: Set<Substring>, module: String) -> Bool {
        let prefix = mangledPrefix(module)
        return symbols.contains { $0.hasPrefix(prefix) }
    }

    @Test("pipeline defines no symbol of Bench or PipelineTestSupport, and the same check finds the modules it does link")
    func noBenchmarkOrTestSupport() throws {
        let pipeline = try PipelineExecutable.url()
        let symbols = try Self.definedSymbols(of: pipeline.path)
        // The controls: the check sees the modules pipeline links, and Bench's in pipeline-bench, so an absence means something.
        for linked in ["PipelineCLI", "Ingest", "Worker", "Kafka", "Normalizers"] {
            let found = Self.defines(symbols, module: linked)
            #expect(found, "no \(Self.mangledPrefix(linked)) symbol found in pipeline")
        }
        let bench = try Self.definedSymbols(of: pipeline.deletingLastPathComponent().appendingPathComponent("pipeline-bench").path)
        let benchHasBench = Self.defines(bench, module: "Bench")
        #expect(benchHasBench, "no \(Self.mangledPrefix("Bench")) symbol found in pipeline-bench")
        for excluded in ["Bench", "PipelineTestSupport"] {
            let found = Self.defines(symbols, module: excluded)
            #expect(!found, "pipeline links \(excluded)")
        }
    }

    @Test("pipeline defines no symbol of the oracle (Verification)")
    func noOracle() throws {
        let symbols = try Self.definedSymbols(of: try PipelineExecutable.url().path)
        #expect(!Self.defines(symbols, module: "Verification"), "pipeline links the oracle")
    }
}
