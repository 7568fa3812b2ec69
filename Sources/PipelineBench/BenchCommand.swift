import ArgumentParser
import Bench
import Foundation
import Logging

/// `pipeline-bench`: the embedded stack under load, with the figures printed as a table.
///
/// An executable of its own, so that `pipeline`, the product, links no benchmark, oracle or test support.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline-bench",
        abstract: "Measure the worker, its ceilings, the Python baseline, ingest and freshness on an embedded stack.",
        discussion: """
            Starts a throwaway PostgreSQL and librdkafka's mock cluster, pre-loads a generated data set \
            (all nine types, retried webhooks, no order across keys, three projects) and runs \
            `pipeline worker --until-caught-up` as a child process; then the consume and PostgreSQL \
            ceilings, bench/baseline.py, wrk against `ingest`, and freshness. Build in release mode first \
            for meaningful figures. Prints a table on standard output, progress on standard error.
            """)

    @Option(help: "Envelopes to generate (retries included).")
    var events: Int = 1_000_000

    @Option(help: "Distinct users of the data set.")
    var users: Int = 100_000

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 6

    @Option(help: "Compare every bi view with the oracle up to this many events (above: totals only).")
    var oracleLimit: Int = 300_000

    @Option(help: "Worker batch size.")
    var batchSize: Int = 20_000

    @Option(help: "Worker processes in the consumer group (each a child; figures are for the group).")
    var workers: Int = 1

    @Option(help: "Seconds of each ingest load run.")
    var ingestSeconds: Int = 10

    @Option(help: "The `pipeline` executable to measure (default: the one beside this executable).")
    var pipeline: String?

    @Option(help: "Run the worker from this `pipeline` executable instead (to compare two builds on the same data).")
    var workerExecutable: String?

    @Flag(help: "Skip the Python baseline.")
    var noPython = false

    @Flag(help: "Skip ingest and freshness.")
    var noIngest = false

    @Flag(help: "Skip the PostgreSQL write ceiling (it replays every event once more: long at millions).")
    var noCeiling = false

    func run() throws {
        guard events > 0 else { throw ValidationError("--events: must be at least 1") }
        guard users > 0 else { throw ValidationError("--users: must be at least 1") }
        guard batchSize > 0 else { throw ValidationError("--batch-size: must be at least 1") }
        guard (1...8).contains(workers) else { throw ValidationError("--workers: must be 1 to 8") }
        guard ingestSeconds > 0 else { throw ValidationError("--ingest-seconds: must be at least 1") }
        let executable = pipeline ?? Self.besideThisExecutable("pipeline")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("--pipeline: no executable at \(executable) (build it with `swift build`)")
        }
        var options = BenchRun.Options(executable: executable)
        options.events = events
        options.users = users
        options.seed = seed
        options.oracleLimit = oracleLimit
        options.batchSize = batchSize
        options.workers = workers
        options.ingestSeconds = ingestSeconds
        options.ingest = !noIngest
        options.writeCeiling = !noCeiling
        options.workerExecutable = workerExecutable
        if !noPython {
            guard let script = BenchRun.locate("bench/baseline.py") else {
                throw ValidationError("bench/baseline.py not found: run from the repository root or pass --no-python")
            }
            options.pythonBaseline = script
        }
        var logger = Logger(label: "pipeline.bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let table = try BenchRun(options: options, logger: logger) { line in
            FileHandle.standardError.write(Data("bench: \(line)\n".utf8))
        }.run()
        print(table.text)
    }

    /// `name` in the directory of the running executable (symbolic links resolved), as `swift build` puts products side by side.
    static func besideThisExecutable(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
