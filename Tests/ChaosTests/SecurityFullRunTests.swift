import Crypto
import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Testing

/// A whole run of the real roles (`pipeline migrate`, `pipeline ingest`, `pipeline worker`) at trace
/// level, fed GetCourse callbacks full of personal data; then every Kafka message, a full pg_dump of
/// the database and every log line are searched for what must never leave the ingest in clear.
@Suite("personal data and secrets stay out of topics, tables and logs")
struct SecurityFullRunTests {
    static let email = "Maria.Ivanova@Example.COM"
    static let managerEmail = "Sales.Lead@School.example"
    static let phones = ["+7 (916) 123-45-67", "+79161234567", "79161234567", "9161234567", "123-45-67"]
    static let names = ["Мария", "Иванова", "Petrov-Vodkin", "Ekaterina"]
    static let secrets = [
        "gc-secret-4c1e8", "salt-0f9a7d", "tg-secret-9e2b", "kafka-pass-71d3", "pg-pass-b52c", "bi-pass-66aa",
    ]

    /// A run of the three roles over one world, with everything they printed.
    struct Run: Sendable {
        var logs: String
        var topics: [String: [KafkaMessage]]
        var dump: String
    }

    static func percent(_ text: String) -> String {
        // ASCII letters and digits only: Foundation's .alphanumerics would leave Cyrillic unescaped.
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")) ?? text
    }

    static func run(_ findings: Findings) throws -> Run {
        let harness = try WorkerHarness(partitions: 1)
        let configFile = try harness.workerConfigFile()
        defer { try? FileManager.default.removeItem(at: configFile) }
        let role = "bi_sec_" + UUID().uuidString.prefix(8).lowercased()
        // Trust authentication ignores the password, but every role is handed it, so any log of the URL would show it.
        let databaseURL = harness.databaseURL.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://postgres:\(secrets[4])@")
        var environment: [String: String] = [:]
        environment["PIPELINE_CONFIG"] = configFile.path
        environment["KAFKA_BROKERS"] = harness.cluster.bootstrapServers
        environment["DATABASE_URL"] = databaseURL
        environment["LOG_LEVEL"] = "trace"
        environment["PIPELINE_PROJECT_DEMO_SECRET"] = secrets[0]
        environment["PIPELINE_PROJECT_DEMO_SALT"] = secrets[1]
        environment["PIPELINE_PROJECT_DEMO_TELEGRAM_SECRET"] = secrets[2]
        environment["PIPELINE_KAFKA_SASL_PASSWORD"] = secrets[3]
        environment["BI_READER_PASSWORD"] = secrets[5]
        environment["BI_READER_ROLE"] = role
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("security-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: logFile) }

        // Every process appends to the one log, as the roles of one deployment share a journal.
        func start(_ arguments: [String]) throws -> ChildProcess {
            try ChildProcess(
                executable: try PipelineExecutable.url().path, arguments: arguments, environment: environment,
                standardOutput: .file(logFile.path, append: true), standardError: .standardOutput)
        }
        let migrate = try start(["migrate"])
        findings.expect(migrate.wait().status == 0, "pipeline migrate failed")
        let port = try PipelineExecutable.freePort()
        let ingest = try start(["ingest", "--port", String(port)])
        defer { ingest.terminate(); ingest.wait() }
        let worker = try start(["worker", "--batch-size", "10"])
        defer { worker.terminate(); worker.wait() }

        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? Self.post(port: port, "/healthz", method: "GET")) == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        findings.expect(ready, "ingest never answered /healthz")
        let secret = "secret=\(secrets[0])"
        let person = "email=\(percent(email))&phone=\(percent(phones[0]))&first_name=\(percent(names[0]))&last_name=\(percent(names[1]))"
        // A manager's name is staff data the order carries since SPEC §4.11 (`manager_name`), so the
        // customer's third name goes in as the buyer's middle name instead.
        let manager = "manager_email=\(percent(managerEmail))&middle_name=\(percent(names[2]))&manager_phone=\(percent(phones[1]))"
        findings.expect(try post(port: port, "/gc/demo/user?\(secret)&user_id=u1&\(person)&utm_source=vk&created_at=2026-10-01+10%3A00%3A00") == 200, "POST 200")
        findings.expect(try post(port: port, "/gc/demo/user?\(secret)&id=u2&email=\(percent("  " + email.lowercased()))&name=\(percent(names[3]))&phone=\(percent(phones[2]))") == 200, "POST 200")
        findings.expect(try post(port: port, "/gc/demo/order?\(secret)&order_id=o1&user_id=u1&\(person)&\(manager)&status=new&cost_money_value=14900&created_at=2026-10-01+11%3A00%3A00") == 200, "POST 200")
        findings.expect(try post(port: port, "/gc/demo/payment?\(secret)&payment_id=p1&order_id=o1&user_id=u1&\(person)&status=accepted&amount=14900&payed_at=2026-10-02+09%3A00%3A00") == 200, "POST 200")
        // A refused request carries personal data too: its error must not echo it into a log.
        findings.expect(try post(port: port, "/gc/demo/order?\(secret)&order_id=o2&user_id=u1&\(person)&status=new&cost_money_value=abc&created_at=2026-10-01+10%3A00%3A00") == 400, "POST 400")

        let deadline = Date().addingTimeInterval(60)
        var applied = 0
        while applied < 4 && Date() < deadline {
            applied = (try? harness.query("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches")[0][0]).flatMap { $0 }.flatMap(Int.init) ?? 0
            Thread.sleep(forTimeInterval: 0.1)
        }
        findings.expect(applied == 4, "\(applied) of 4 events applied")
        ingest.terminate()
        worker.terminate()
        ingest.wait()
        worker.wait()
        _ = try? harness.result(#"DROP ROLE IF EXISTS "\#(role)""#)

        return Run(logs: try String(contentsOf: logFile, encoding: .utf8),
                   topics: try allMessages(harness, findings), dump: try pgDump(harness.databaseURL, findings))
    }

    static func post(port: Int, _ path: String, method: String = "POST") throws -> Int {
        try PipelineExecutable.requestStatus(port: port, path: path, method: method)
    }

    /// Every message of every topic the cluster holds, read from the beginning.
    static func allMessages(_ harness: WorkerHarness, _ findings: Findings) throws -> [String: [KafkaMessage]] {
        let topics = try KafkaAdmin(configuration: harness.kafka, logger: harness.logger).listTopics(timeout: .seconds(10))
        var result: [String: [KafkaMessage]] = [:]
        for (topic, partitions) in topics {
            var expected: Int64 = 0
            let admin = try KafkaAdmin(configuration: harness.kafka, logger: harness.logger)
            for partition in 0..<partitions { expected += try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10)).high }
            let consumer = try KafkaConsumer(
                configuration: harness.kafka, groupID: "reader-\(UUID())", rebalance: .fromBeginning, logger: harness.logger)
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            var messages: [KafkaMessage] = []
            let deadline = Date().addingTimeInterval(20)
            while Int64(messages.count) < expected && Date() < deadline {
                messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
            }
            findings.expect(Int64(messages.count) == expected, "\(topic): read \(messages.count) of \(expected)")
            result[topic] = messages
        }
        return result
    }

    /// `pg_dump` of the whole database: schema, every table's rows, roles' grants.
    static func pgDump(_ url: String, _ findings: Findings) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID()).sql")
        defer { try? FileManager.default.removeItem(at: output) }
        let dump = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["pg_dump", "--no-owner", url], standardOutput: .file(output.path))
        findings.expect(dump.wait().status == 0, "pg_dump failed")
        return try String(contentsOf: output, encoding: .utf8)
    }

    /// Every spelling of the personal data a careless step could keep.
    static var personalData: [String] {
        var values = [email, email.lowercased(), managerEmail, managerEmail.lowercased(), percent(email), "Maria.Ivanova", "maria.ivanova"]
        values += phones + phones.map(percent) + names + names.map(percent)
        return values
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("a full run with clear e-mails, phones and names: none in any topic, table or log; only salted SHA-256")
    func noPersonalDataOrSecretAnywhere() async throws {
        let findings = Findings()
        let run = try await onOwnThread { try Self.run(findings) }
        #expect(findings.failures.isEmpty, "\(findings.failures.joined(separator: "\n"))")
        let messages = run.topics.values.flatMap { $0 }
        let topicText = messages.map { message in
            String(decoding: message.value, as: UTF8.self) + " " + String(decoding: message.key ?? [], as: UTF8.self) + " "
                + message.headers.map { $0.key + "=" + String(decoding: $0.value, as: UTF8.self) }.joined(separator: " ")
        }.joined(separator: "\n")
        // The data really went through: the events are there, with the hash SPEC §2 prescribes.
        #expect(messages.count >= 4)
        let digest = Self.sha256(Self.secrets[1] + Self.email.lowercased())
        #expect(topicText.contains(digest), "the registration lacks the salted SHA-256 of the e-mail")
        #expect(run.dump.contains("u1") && run.dump.contains("14900"), "the dump lacks the run's rows")
        #expect(!run.logs.isEmpty)
        for value in Self.personalData {
            #expect(!topicText.contains(value), "a topic message contains \(value)")
            #expect(!run.dump.contains(value), "the database dump contains \(value)")
            #expect(!run.logs.contains(value), "the logs contain \(value)")
        }
        // An unsalted digest would be a lookup away from the address.
        #expect(!topicText.contains(Self.sha256(Self.email.lowercased())))
        for secret in Self.secrets {
            #expect(!run.logs.contains(secret), "the logs contain the secret \(secret)")
            #expect(!topicText.contains(secret), "a topic message contains the secret \(secret)")
            #expect(!run.dump.contains(secret), "the database dump contains the secret \(secret)")
        }
    }
}
