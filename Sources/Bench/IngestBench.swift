import Foundation
import Kafka
import PipelineTestSupport
import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// Ingest under wrk (a fixed rate and saturation) and freshness (a webhook's 2xx until its effect
/// shows in `bi.funnel_daily`), against the real `pipeline ingest` and a live `pipeline worker`.
struct IngestBench {
    let run: BenchRun
    let cluster: KafkaMockCluster
    let databaseURL: String
    let work: String

    static let secret = "bench-secret"

    func measure(into table: inout BenchTable) throws {
        let port = try PipelineExecutable.freePort()
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "DATABASE_URL": databaseURL, "LOG_LEVEL": "warning",
            "PIPELINE_PROJECT_BENCH_SCHOOL_SALT": "bench-salt", "PIPELINE_PROJECT_BENCH_SCHOOL_SECRET": Self.secret,
        ]
        let ingest = try ChildProcess(
            executable: run.options.executable, arguments: ["ingest", "--port", "\(port)"], environment: environment,
            standardOutput: .file(work + "/ingest.out"), standardError: .file(work + "/ingest.err"))
        defer { ingest.terminate(); ingest.wait() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while (try? PipelineExecutable.requestStatus(port: port, path: "/healthz", method: "GET")) != 200 {
            guard ContinuousClock.now < deadline else { throw BenchError("pipeline ingest did not answer /healthz in 30 s") }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard let script = BenchRun.locate("bench/ingest.lua") else { throw BenchError("bench/ingest.lua not found") }

        // Freshness first, with a live worker that starts caught up (the bench's own run committed the data set);
        // then ingest alone with the broker and wrk, as issue #6 states its targets: a worker beside it would take
        // about a core for decoding and PostgreSQL, and started afterwards it would face the load runs' backlog.
        run.progress("freshness under steady load")
        let fresh = try { () throws -> (p50: Int, p99: Int, detail: String) in
            let worker = try ChildProcess(
                executable: run.options.executable, arguments: ["worker"], environment: environment,
                standardOutput: .file(work + "/live-worker.out"), standardError: .file(work + "/live-worker.err"))
            defer { worker.terminate(); worker.wait() }
            return try freshness(port: port, script: script)
        }()

        run.progress("ingest at a fixed rate (wrk, 5,000 req/s)")
        let paced = try wrk(port: port, script: script, connections: 128, pauseMilliseconds: 0, rate: 5000, prefix: "paced")
        table.add("ingest at 5,000 req/s", "\(paced.rate) req/s, p50 \(paced.p50) ms, p99 \(paced.p99) ms",
                  "wrk, 2 threads × 2,500 req/s on a fixed schedule over 128 connections, durable acks, no worker running; \(paced.requests) requests, \(paced.failures) failed, \(paced.late) sent > 1 ms late")

        run.progress("ingest at saturation (wrk)")
        let saturated = try wrk(port: port, script: script, connections: 64, pauseMilliseconds: 0, prefix: "saturated")
        table.add("ingest at saturation", "\(saturated.rate) req/s, p50 \(saturated.p50) ms, p99 \(saturated.p99) ms",
                  "wrk, 64 connections, no pause, no worker running; \(saturated.requests) requests, \(saturated.failures) failed")
        table.add("freshness", "p50 \(fresh.p50) ms, p99 \(fresh.p99) ms", fresh.detail)
    }

    struct WrkResult {
        var requests = 0
        var rate = 0
        var failures = 0
        var p50 = "?"
        var p99 = "?"
        /// Paced runs: requests sent more than 1 ms after their slot because every connection was busy.
        var late = 0
    }

    /// Runs wrk for the configured seconds and parses the script's BENCH line.
    func wrk(port: Int, script: String, connections: Int, pauseMilliseconds: Int, rate: Int = 0, prefix: String,
             seconds: Int? = nil, name: String? = nil) throws -> WrkResult {
        let name = name ?? "wrk-\(prefix)"
        let child = try ChildProcess(
            executable: "/usr/bin/wrk",
            arguments: ["-t", "2", "-c", "\(connections)", "-d", "\(seconds ?? run.options.ingestSeconds)s", "--latency",
                        "-s", script, "http://127.0.0.1:\(port)", "--", Self.secret, prefix, "\(pauseMilliseconds)", "\(rate)", "2"],
            standardOutput: .file("\(work)/\(name).out"), standardError: .file("\(work)/\(name).err"))
        let usage = child.waitMeasuring()
        let output = (try? String(contentsOfFile: "\(work)/\(name).out", encoding: .utf8)) ?? ""
        guard usage.status == 0, let line = output.split(separator: "\n").first(where: { $0.hasPrefix("BENCH ") }) else {
            throw BenchError("wrk failed (status \(usage.status)): \(output.suffix(1000))")
        }
        var fields: [String: Int] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let pair = part.split(separator: "=")
            if pair.count == 2 { fields[String(pair[0])] = Int(pair[1]) }
        }
        let requests = fields["requests"] ?? 0
        let duration = Double(fields["duration_us"] ?? 1) / 1e6
        return WrkResult(
            requests: requests, rate: Int(Double(requests) / duration),
            failures: (fields["errors"] ?? 0) + (fields["non2xx"] ?? 0),
            p50: String(format: "%.1f", Double(fields["p50_us"] ?? 0) / 1000),
            p99: String(format: "%.1f", Double(fields["p99_us"] ?? 0) / 1000), late: fields["late"] ?? 0)
    }

    /// Probes sent one after another while wrk keeps 1,000 req/s (on a fixed schedule) of other registrations flowing:
    /// each probe's campaign is its own, so its funnel_daily row appears exactly when it is applied.
    func freshness(port: Int, script: String) throws -> (p50: Int, p99: Int, detail: String) {
        let background = try ChildProcess(
            executable: "/usr/bin/wrk",
            arguments: ["-t", "1", "-c", "20", "-d", "\(run.options.ingestSeconds + 30)s", "-s", script,
                        "http://127.0.0.1:\(port)", "--", Self.secret, "steady", "0", "1000", "1"],
            standardOutput: .file("\(work)/wrk-steady.out"), standardError: .file("\(work)/wrk-steady.err"))
        defer { background.send(SIGINT); background.wait() }
        let connection = try PostgresConnection(connectionString: databaseURL, logger: run.logger)
        defer { connection.close() }
        var samples: [Double] = []
        var started = ContinuousClock.now
        let runID = UUID().uuidString.prefix(8).lowercased()
        // Probe 0 only waits out the worker's start (the consumer group join): not a sample.
        var probe = -1
        while started.duration(to: .now) < .seconds(run.options.ingestSeconds) || samples.count < 20 {
            probe += 1
            let campaign = "probe-\(runID)-\(probe)"
            let path = "/gc/bench-school/user?secret=\(Self.secret)&user_id=\(campaign)&utm_source=yandex"
                + "&utm_campaign=\(campaign)&utm_content=ad1&created_at=2026-11-21+10%3A00%3A00"
            guard try PipelineExecutable.requestStatus(port: port, path: path) == 200 else { throw BenchError("freshness probe \(probe) refused") }
            let acknowledged = ContinuousClock.now
            while true {
                let rows = try connection.execute(
                    "SELECT registrations FROM bi.funnel_daily WHERE campaign_id = $1", [campaign]).rows
                if !rows.isEmpty { break }
                guard acknowledged.duration(to: .now) < .seconds(60) else { throw BenchError("probe \(campaign) not visible after 60 s") }
                Thread.sleep(forTimeInterval: 0.005)
            }
            if probe == 0 {
                started = .now
                continue
            }
            samples.append(acknowledged.duration(to: .now).seconds * 1000)
            if started.duration(to: .now) > .seconds(120) { break }
        }
        samples.sort()
        func quantile(_ q: Double) -> Int { Int(samples[min(samples.count - 1, Int(Double(samples.count) * q))].rounded()) }
        return (quantile(0.5), quantile(0.99),
                "\(samples.count) probes, each its own campaign, 2xx → row in bi.funnel_daily (polled every 5 ms), beside ~1,000 req/s of other registrations; live worker defaults")
    }

}

extension BenchRun {
    /// A path under the working directory or beside the package the executable was built in.
    public static func locate(_ relative: String) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<5 {
            directory.deleteLastPathComponent()
            candidates.append(directory.path)
        }
        return candidates.map { $0 + "/" + relative }.first { FileManager.default.fileExists(atPath: $0) }
    }
}

