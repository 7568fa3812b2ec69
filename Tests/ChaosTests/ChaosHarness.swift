import Events
import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Postgres
import Testing
import Verification

/// The knobs of a chaos run, from the environment: `ops/chaos.sh` raises them for the long form.
enum ChaosSettings {
    static func integer(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    /// SIGKILLs of the worker in scenario (a); at least 5 in CI.
    static var kills: Int { max(1, integer("CHAOS_KILLS", 5)) }
    /// Distinct events of each scenario's data set (duplicates come on top).
    static var events: Int { max(100, integer("CHAOS_EVENTS", 1_500)) }
    /// Immediate-mode PostgreSQL restarts in scenario (b).
    static var databaseRestarts: Int { max(1, integer("CHAOS_DB_RESTARTS", 2)) }
    /// Rounds of injected request errors in scenario (d).
    static var errorRounds: Int { max(1, integer("CHAOS_ERROR_ROUNDS", 2)) }
    /// How long the broker of scenario (c) stays down.
    static var outageSeconds: Int { max(1, integer("CHAOS_OUTAGE_SECONDS", 30)) }
    /// Seed of the data sets and of the fault instants.
    static var seed: UInt64 { UInt64(integer("CHAOS_SEED", 2026)) }
    /// Where worker logs are kept after the run (default: a temporary file, removed).
    static var logDirectory: String? { ProcessInfo.processInfo.environment["CHAOS_LOG_DIR"] }
    /// The workers' LOG_LEVEL; at least warning, since scenario (b) counts the "batch failed" warnings.
    static var workerLogLevel: String {
        let level = ProcessInfo.processInfo.environment["CHAOS_WORKER_LOG_LEVEL"] ?? "warning"
        return ["trace", "debug", "info", "notice", "warning"].contains(level) ? level : "warning"
    }
    /// File the rows are appended to, for `ops/chaos.sh` to print the whole table.
    static var reportFile: String? { ProcessInfo.processInfo.environment["CHAOS_REPORT"] }
}

/// Checks made on a scenario's own thread, where Swift Testing's task-local context is absent:
/// they are collected here and asserted by the test body (see `ScenarioResult.assertExact`).
final class Findings: @unchecked Sendable {
    // Safe: `list` is only touched under `lock`.
    private let lock = NSLock()
    private var list: [String] = []

    func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { record(message()) }
    }

    func record(_ message: String) { lock.withLock { list.append(message) } }

    var failures: [String] { lock.withLock { list } }
}

/// What a scenario's thread hands back to its test.
struct ScenarioResult: Sendable {
    var row: ChaosRow
    var differences: [String]
    var failures: [String]

    /// lost = 0, double-counted = 0, no view difference, and every check of the run held.
    func assertExact() {
        #expect(failures.isEmpty, "\(row.scenario):\n\(failures.joined(separator: "\n"))")
        #expect(row.tally.lost == 0, "\(row.scenario): \(row.tally.lost) units lost")
        #expect(row.tally.doubleCounted == 0, "\(row.scenario): \(row.tally.doubleCounted) units double-counted")
        #expect(differences.isEmpty, "\(row.scenario):\n\(differences.prefix(30).joined(separator: "\n"))")
        #expect(row.recoverySeconds != nil, "\(row.scenario): the workers did not catch up")
    }
}

/// One line of the chaos table.
struct ChaosRow: CustomStringConvertible, Sendable {
    var scenario: String
    var delivered: Int
    var distinct: Int
    var faults: String
    var tally: ExactlyOnceTally
    var differences: Int
    /// Fault end (or load end, when later) → every partition applied and the views compared equal.
    var recoverySeconds: Double?

    static let header = """
        | scenario | events delivered / distinct | faults injected | lost | double-counted | view differences | recovery (s) |
        |---|---|---|---|---|---|---|
        """

    var description: String {
        let recovery = recoverySeconds.map { String(format: "%.1f", $0) } ?? "not caught up"
        return "| \(scenario) | \(delivered) / \(distinct) | \(faults) | \(tally.lost) | \(tally.doubleCounted) | \(differences) | \(recovery) |"
    }

    /// Prints the row and appends it to `CHAOS_REPORT` if set.
    func publish() {
        print("chaos \(self)")
        guard let path = ChaosSettings.reportFile else { return }
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        if let handle = FileHandle(forWritingAtPath: path) {
            handle.seekToEndOfFile()
            handle.write(Data((description + "\n").utf8))
            try? handle.close()
        }
    }
}

/// A real `pipeline worker` subprocess of the harness's group, logging warnings to a file of its own.
final class WorkerProcess {
    let process: ChildProcess
    let logFile: URL
    private let harness: WorkerHarness
    /// Names this worker's PostgreSQL session, so `stop` can tell when it is up.
    private let applicationName = "chaos-worker-\(UUID().uuidString.prefix(8).lowercased())"

    init(_ harness: WorkerHarness, configFile: URL, batch: Int) throws {
        self.harness = harness
        logFile = URL(fileURLWithPath: ChaosSettings.logDirectory ?? NSTemporaryDirectory())
            .appendingPathComponent("chaos-worker-\(UUID()).log")
        var environment: [String: String] = [:]
        environment["KAFKA_BROKERS"] = harness.cluster.bootstrapServers
        environment["DATABASE_URL"] = harness.databaseURL
            + (harness.databaseURL.contains("?") ? "&" : "?") + "application_name=\(applicationName)"
        environment["LOG_LEVEL"] = ChaosSettings.workerLogLevel
        process = try ChildProcess(
            executable: try PipelineExecutable.url().path,
            arguments: ["worker", "--config", configFile.path, "--group", harness.groupID, "--batch-size", String(batch)],
            environment: environment, standardOutput: .discard, standardError: .file(logFile.path))
    }

    /// SIGKILL: no transaction finished, no group left.
    func kill9() {
        process.forceKill()
        process.wait()
    }

    /// SIGTERM, the way an orchestrator stops it: it finishes its batch and leaves the group. Returns the exit status.
    ///
    /// Sent only once the worker has its PostgreSQL session (it connects after installing its signal
    /// handlers): a worker started just before, with nothing left to apply, could otherwise get the
    /// signal while the process is still starting — on a loaded CI machine that takes a second —
    /// and end by the signal's default action, which is not the shutdown this checks.
    func stop() -> Int32 {
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline {
            let sessions = (try? harness.query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [applicationName]))?
                .first?.first.flatMap { $0 }.flatMap(Int.init) ?? 0
            if sessions > 0 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        return process.wait().status
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit {
        process.forceKill()
        process.wait()
        if ChaosSettings.logDirectory == nil { try? FileManager.default.removeItem(at: logFile) }
    }
}

/// Produces a data set's deliveries at a steady pace on a thread of its own, whatever the cluster does:
/// a chunk not confirmed within two seconds is sent again at the end (the way a source retries after a
/// 5xx), so an outage costs duplicates, never events.
final class LoadGenerator: @unchecked Sendable {
    // Safe: the `var`s are only touched under `lock`; the `let`s are immutable.
    private let lock = NSLock()
    private var finished = false
    private var resent = 0
    private var errors: [String] = []
    private var endedAt: Date?
    private let chunks: [[KafkaOutgoingMessage]]
    private let interval: Double
    private let kafka: KafkaConfiguration
    private let logger: Logger

    init(_ harness: WorkerHarness, deliveries: [String], seconds: Double, chunk: Int = 20) {
        let messages = harness.messages(deliveries)
        chunks = stride(from: 0, to: messages.count, by: chunk).map { Array(messages[$0..<min($0 + chunk, messages.count)]) }
        interval = seconds / Double(max(1, chunks.count))
        kafka = harness.kafka
        logger = harness.logger
    }

    func start() {
        Thread { self.run() }.start()
    }

    private func run() {
        do {
            let producer = try KafkaProducer(configuration: kafka, deliveryTimeoutMilliseconds: 10_000, logger: logger)
            var pending: [[KafkaOutgoingMessage]] = []
            let start = Date()
            for (index, messages) in chunks.enumerated() {
                let due = start.addingTimeInterval(interval * Double(index))
                if due > Date() { Thread.sleep(until: due) }
                do { _ = try producer.sendAndWait(messages, timeout: .seconds(2)) } catch { pending.append(messages) }
            }
            let deadline = Date().addingTimeInterval(180)
            while !pending.isEmpty && Date() < deadline {
                let messages = pending.removeFirst()
                lock.withLock { resent += messages.count }
                do { _ = try producer.sendAndWait(messages, timeout: .seconds(30)) } catch {
                    pending.append(messages)
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            if !pending.isEmpty { record("\(pending.count) chunks never delivered") }
            // Whatever a timed-out attempt left queued is delivered (or failed) before the topics are counted.
            try? producer.flush(timeout: .seconds(60))
        } catch {
            record("load generator: \(error)")
        }
        lock.withLock {
            finished = true
            endedAt = Date()
        }
    }

    private func record(_ error: String) { lock.withLock { errors.append(error) } }

    var isFinished: Bool { lock.withLock { finished } }
    var problems: [String] { lock.withLock { errors } }
    /// Messages sent again after an unconfirmed attempt.
    var resentMessages: Int { lock.withLock { resent } }
    var endDate: Date? { lock.withLock { endedAt } }

    func waitUntilFinished() {
        while !isFinished { Thread.sleep(forTimeInterval: 0.05) }
    }
}

/// One scenario's world: the harness, its data set, the config file of its worker subprocesses.
struct ChaosWorld {
    let harness: WorkerHarness
    let data: RandomEvents.DataSet
    let configFile: URL
    let findings = Findings()

    init(harness: WorkerHarness, seed: UInt64, events: Int = ChaosSettings.events) throws {
        self.harness = harness
        var generator = RandomEvents(seed: seed)
        data = generator.dataSet(count: events)
        try harness.importRates(data.rates)
        configFile = try harness.workerConfigFile(projects: ["beta": ("America/New_York", "USD")])
    }

    /// SIGTERM, as an orchestrator stops a worker; anything but exit 0 is a finding.
    func stopExpectingCleanExit(_ worker: WorkerProcess) {
        findings.expect(worker.stop() == 0, "a worker stopped with SIGTERM exited non-zero")
    }

    func startWorker(batch: Int = 50) throws -> WorkerProcess {
        try WorkerProcess(harness, configFile: configFile, batch: batch)
    }

    /// Events applied so far (nil while the database cannot answer, e.g. during a restart).
    func appliedCount() -> Int? {
        (try? harness.query("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches")[0][0]).flatMap { $0 }.flatMap(Int.init)
    }

    /// Waits up to `limit` seconds for the applied count to grow past `count`: the worker is then at work.
    func waitForProgress(beyond count: Int, limit: TimeInterval = 20) {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if let applied = appliedCount(), applied > count { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// The high watermark of every partition of the event topics, asked of the (mock) cluster.
    func highWatermarks() throws -> [String: Int64] {
        let admin = try KafkaAdmin(configuration: harness.kafka, logger: harness.logger)
        let existing = try admin.listTopics(timeout: .seconds(10))
        var result: [String: Int64] = [:]
        for topic in harness.topics.eventTopics {
            for partition in 0..<(existing[topic] ?? 0) {
                result["\(topic)/\(partition)"] = try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10)).high
            }
        }
        return result
    }

    /// Waits until the group's stored offsets reach every high watermark; returns when, or nil after `limit`.
    func waitUntilCaughtUp(limit: TimeInterval = 240) -> Date? {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if let high = try? highWatermarks(),
               let rows = try? harness.query(
                   "SELECT topic || '/' || partition, next_offset FROM pipeline.consumer_offsets WHERE group_id = $1",
                   [harness.groupID])
            {
                var stored: [String: Int64] = [:]
                for row in rows { stored[row[0]!] = Int64(row[1]!) }
                if high.allSatisfy({ $0.value == 0 || (stored[$0.key] ?? 0) >= $0.value }) { return Date() }
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return nil
    }

    /// Compares every view with the oracle and prints the row; the test asserts the result.
    func verdict(scenario: String, faults: String, faultEnd: Date, load: LoadGenerator, caughtUpAt: Date?,
                 workerLogs: [String] = []) throws -> ScenarioResult {
        let oracle = data.oracle
        let connection = try harness.connection()
        defer { connection.close() }
        let differences = try BIComparison.differences(connection, oracle, summaries: [
            (project: "alpha", from: LocalDate("2026-01-01")!, to: LocalDate("2026-03-31")!),
            (project: "beta", from: LocalDate("2026-02-01")!, to: LocalDate("2026-02-28")!),
        ])
        let tally = try ExactlyOnceTally.measure(connection, oracle)
        let delivered = Int(try highWatermarks().values.reduce(0, +))
        let recoveryStart = max(faultEnd, load.endDate ?? faultEnd)
        let row = ChaosRow(
            scenario: scenario, delivered: delivered, distinct: data.distinctInDeliveryOrder.count, faults: faults,
            tally: tally, differences: differences.count, recoverySeconds: caughtUpAt.map { $0.timeIntervalSince(recoveryStart) })
        row.publish()
        for problem in load.problems { findings.record(problem) }
        findings.expect(caughtUpAt != nil, "not caught up; worker logs:\n\(workerLogs.joined(separator: "\n").suffix(4000))")
        findings.expect(delivered >= data.deliveries.count, "\(delivered) messages in the topics, fewer than \(data.deliveries.count) deliveries")
        return ScenarioResult(row: row, differences: differences, failures: findings.failures)
    }
}

/// Seeded instants and choices for the fault schedule, so a failing run can be replayed with its seed.
struct FaultClock {
    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// A pause of `from`...`to` seconds.
    mutating func pause(_ from: Double, _ to: Double) -> Double {
        from + (to - from) * Double(random.next() % 10_000) / 10_000
    }
}
