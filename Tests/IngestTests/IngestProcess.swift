import PipelineTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Logging

/// The real `pipeline ingest` executable against a mock cluster of the test process, as an operator runs it.
final class IngestProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is set once in init; ChildProcess itself is thread-safe for terminate/wait.
    static let project = "fuzz"
    static let secret = "fz-secret-1"
    static let salt = "fz-salt-1"
    static let telegramSecret = "fz-tg-1"
    static let unisenderKey = "fzunisenderkey0123456789abcdef01"

    let cluster: KafkaMockCluster
    let port: Int
    let process: ChildProcess
    let logFile: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the binary and waits until `/healthz` answers.
    /// - Parameter environment: extra variables (e.g. `PIPELINE_KAFKA_QUEUE_BUFFERING_MAX_MESSAGES`).
    init(arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        var logger = Logger(label: "ingest-process")
        logger.logLevel = .error
        cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        for topic in ["school.clicks", "school.registrations", "school.orders", "school.mails", "school.chat", "school.adstats", "school.learning", "school.deadletter"] {
            try cluster.createTopic(topic, partitions: 1)
        }
        port = try PipelineExecutable.freePort()
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID()).log")
        var environment: [String: String] = [:]
        environment["KAFKA_BROKERS"] = cluster.bootstrapServers
        environment["LOG_LEVEL"] = ProcessInfo.processInfo.environment["INGEST_TEST_LOG"] ?? "info"
        environment["PIPELINE_PROJECT_FUZZ_SECRET"] = Self.secret
        environment["PIPELINE_PROJECT_FUZZ_SALT"] = Self.salt
        environment["PIPELINE_PROJECT_FUZZ_TELEGRAM_SECRET"] = Self.telegramSecret
        environment["PIPELINE_PROJECT_FUZZ_UNISENDER_KEY"] = Self.unisenderKey
        environment["PIPELINE_PROJECT_FUZZ_SENDGRID_KEY"] = IngestHarness.sendgridKey
        environment["PIPELINE_PROJECT_FUZZ_ALLOWED_HOSTS"] = "school.ru"
        for (name, value) in extra { environment[name] = value }
        process = try ChildProcess(
            executable: try PipelineExecutable.url().path, arguments: ["ingest", "--port", String(port)] + arguments,
            environment: environment, standardOutput: .file(logFile.path), standardError: .standardOutput)
        var ready = false
        for _ in 0..<150 where !ready && process.isRunning {
            ready = (try? Self.status(of: "\(baseURL)/healthz")) == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard ready else {
            stop()
            throw NotReady(log: (try? String(contentsOf: logFile, encoding: .utf8)) ?? "")
        }
    }

    struct NotReady: Error, CustomStringConvertible {
        let log: String
        var description: String { "pipeline ingest did not become healthy; its log:\n\(log)" }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: logFile)
    }

    /// SIGTERM, then waits for the exit.
    func stop() {
        process.terminate()
        process.wait()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// A blocking GET with curl, for readiness polling.
    static func status(of url: String) throws -> Int {
        let curl = try ChildProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", url])
        return Int(curl.standardOutput) ?? 0
    }

    /// A blocking POST with curl; returns the status.
    func post(_ path: String, headers: [String: String] = [:], body: String) throws -> Int {
        let curl = try ChildProcess.run(
            "/usr/bin/curl",
            ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-X", "POST", "--data-binary", body]
                + headers.flatMap { ["-H", "\($0.key): \($0.value)"] } + [baseURL + path])
        return Int(curl.standardOutput) ?? 0
    }

    /// Every message of `topics` in the cluster, read with a group of its own.
    func messages(in topics: [String], atLeast count: Int) async throws -> [KafkaMessage] {
        let configuration = cluster.configuration()
        return try await onThread {
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "reader-\(UUID().uuidString)", rebalance: .fromBeginning, logger: IngestHarness.logger())
            defer { consumer.close() }
            try consumer.subscribe(topics: topics)
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(120))  // a deadline to fail by; left at the first answer
            let quiet = clock.now.advanced(by: .seconds(2))
            var messages: [KafkaMessage] = []
            while clock.now < deadline && (messages.count < count || clock.now < quiet) {
                messages += try consumer.pollBatch(maxMessages: 500, timeout: .milliseconds(200))
            }
            return messages
        }
    }
}

/// What one HTTP request came to: a status and its Retry-After, or no answer at all.
struct Outcome: Sendable {
    var status: Int?
    var retryAfter: String?
}

/// Sends one request over a real socket; a transport failure (refused, reset) is an outcome, not an error.
func sendRequest(_ request: URLRequest, session: URLSession) async -> Outcome {
    await withCheckedContinuation { continuation in
        session.dataTask(with: request) { _, response, _ in
            guard let http = response as? HTTPURLResponse else { return continuation.resume(returning: Outcome()) }
            continuation.resume(returning: Outcome(status: http.statusCode, retryAfter: http.value(forHTTPHeaderField: "Retry-After")))
        }.resume()
    }
}
