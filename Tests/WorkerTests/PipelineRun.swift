import Events
import Foundation
import Logging
import PipelineTestSupport
import Postgres

/// One throwaway world driven only through the `pipeline` executable, as an operator drives it:
/// `pipeline kafka-mock` as Kafka, a fresh database on the shared throwaway PostgreSQL, a config
/// file for the projects' time zones and base currencies, and a scratch folder for the files.
///
/// Every child is a `ChildProcess` (posix_spawn): Foundation's `Process` crashes now and then in
/// Swift 6.3.1. The mock broker is stopped and the folder removed when the run is released.
final class PipelineRun {
    let work: URL
    let databaseURL: String
    let brokers: String
    let configFile: URL
    private let kafka: ChildProcess
    private let logger: Logger

    /// - Parameters:
    ///   - partitions: partitions of each event topic, so that keys really are spread and shuffled.
    ///   - projects: time zone and base currency of the projects that do not use the defaults.
    init(prefix: String, partitions: Int = 3, projects: [String: (timeZone: String, baseCurrency: String)]) throws {
        var logger = Logger(label: "pipeline-run")
        logger.logLevel = .error
        // Built in locals and assigned at the end: the broker is stopped by hand if it never answers.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let configFile = work.appendingPathComponent("pipeline.json")
        let projectsJSON = projects.sorted { $0.key < $1.key }.map {
            #""\#($0.key)": {"time_zone": "\#($0.value.timeZone)", "base_currency": "\#($0.value.baseCurrency)"}"#
        }.joined(separator: ", ")
        try Data(#"{"projects": {\#(projectsJSON)}}"#.utf8).write(to: configFile)
        let databaseURL = try ThrowawayPostgres.shared.createDatabase(prefix: prefix)

        let addressFile = work.appendingPathComponent("kafka.addr")
        let kafkaLog = work.appendingPathComponent("kafka.log")
        let kafka = try ChildProcess(
            executable: try PipelineExecutable.url().path, arguments: ["kafka-mock", "--partitions", String(partitions)],
            environment: ["LOG_LEVEL": "warning"],
            standardOutput: .file(addressFile.path), standardError: .file(kafkaLog.path))
        // kafka-mock prints its bootstrap address as its first line once the topics exist.
        var address = ""
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while address.isEmpty {
            if let text = try? String(contentsOf: addressFile, encoding: .utf8), text.hasSuffix("\n") {
                address = String(text.split(separator: "\n").first ?? "")
            } else if ContinuousClock.now > deadline || !kafka.isRunning {
                kafka.terminate()
                kafka.wait()
                let log = (try? String(contentsOf: kafkaLog, encoding: .utf8)) ?? ""
                try? FileManager.default.removeItem(at: work)
                throw TestSupportError.childProcess("pipeline kafka-mock printed no address: \(log)")
            } else {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        self.logger = logger
        self.work = work
        self.configFile = configFile
        self.databaseURL = databaseURL
        self.kafka = kafka
        brokers = address
    }

    deinit {
        kafka.terminate()
        kafka.wait()
        try? FileManager.default.removeItem(at: work)
    }

    /// What every role is started with: nothing but the environment an operator would set.
    var environment: [String: String] {
        ["KAFKA_BROKERS": brokers, "DATABASE_URL": databaseURL, "PIPELINE_CONFIG": configFile.path, "LOG_LEVEL": "warning"]
    }

    /// Runs `pipeline <arguments>` to its end and returns what it printed (standard error included);
    /// a non-zero exit throws with that output.
    @discardableResult
    func pipeline(_ arguments: [String]) throws -> String {
        let outcome = try ChildProcess.run(
            try PipelineExecutable.url().path, arguments, environment: environment, mergeStandardError: true)
        guard outcome.termination.succeeded else {
            throw TestSupportError.childProcess(
                "pipeline \(arguments.joined(separator: " ")) ended with \(outcome.status): \(outcome.standardOutput.suffix(4_000))")
        }
        return outcome.standardOutput
    }

    /// Writes `text` into the scratch folder and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let url = work.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// `pipeline fx import`, one CSV file per base currency (the command takes one base at a time).
    func importRates(_ rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)]) throws {
        for base in Set(rates.map(\.base)).sorted() {
            let lines = rates.filter { $0.base == base }.map { "\($0.currency),\($0.day),\($0.rate)" }
            let path = try file("rates-\(base).csv", (["currency,day,rate"] + lines).joined(separator: "\n") + "\n")
            try pipeline(["fx", "import", "--base", base, path])
        }
    }

    /// `pipeline produce` of the envelopes, one JSON line each, in this order.
    func produce(_ lines: [String], name: String) throws {
        let output = try pipeline(["produce", try file(name, lines.joined(separator: "\n") + "\n")])
        guard output.contains("produced \(lines.count) event(s), rejected 0") else {
            throw TestSupportError.childProcess("pipeline produce of \(lines.count) lines: \(output)")
        }
    }

    /// `pipeline worker --until-caught-up`; returns its closing `worker done:` line.
    @discardableResult
    func worker(batchSize: Int) throws -> String {
        let output = try pipeline(["worker", "--until-caught-up", "--batch-size", String(batchSize)])
        guard let done = output.split(separator: "\n").last(where: { $0.hasPrefix("worker done:") }) else {
            throw TestSupportError.childProcess("pipeline worker printed no summary: \(output.suffix(4_000))")
        }
        return String(done)
    }

    /// A new connection to the run's database; the caller closes it.
    func connection() throws -> PostgresConnection {
        try PostgresConnection(connectionString: databaseURL, logger: logger)
    }
}
