import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Testing

/// Runs the real `pipeline ingest` process, as an operator would, with every log level on.
@Suite("secrets stay out of the logs")
struct SecretsInLogsTests {
    @Test("a trace-level ingest run that accepts and refuses requests never prints a secret or an e-mail")
    func noSecretInTraceLogs() throws {
        var logger = Logger(label: "secrets-test")
        logger.logLevel = .error
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        for topic in ["school.registrations", "school.orders", "school.clicks", "school.learning", "school.deadletter"] {
            try cluster.createTopic(topic, partitions: 1)
        }
        let secrets = ["gc-secret-7f3a9", "salt-91bd2c", "tg-token-55e1", "kafka-pass-0c4d", "link-secret-3e8d", "learn-secret-a1b2"]
        let email = "Private.Person@example.com"
        let port = try PipelineExecutable.freePort()
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: logFile) }

        let ingest = try ChildProcess(
            executable: try PipelineExecutable.url().path, arguments: ["ingest", "--port", String(port)],
            environment: [
                "KAFKA_BROKERS": cluster.bootstrapServers,
                "LOG_LEVEL": "trace",
                "PIPELINE_PROJECT_DEMO_SECRET": secrets[0],
                "PIPELINE_PROJECT_DEMO_SALT": secrets[1],
                "PIPELINE_PROJECT_DEMO_TELEGRAM_SECRET": secrets[2],
                "PIPELINE_KAFKA_SASL_PASSWORD": secrets[3],
                "PIPELINE_PROJECT_DEMO_LINK_SECRET": secrets[4],
                "PIPELINE_PROJECT_DEMO_LEARNING_SECRET": secrets[5],
            ],
            standardOutput: .file(logFile.path), standardError: .standardOutput)
        defer { ingest.terminate(); ingest.wait() }

        func request(_ method: String, _ path: String) throws -> Int {
            try PipelineExecutable.requestStatus(port: port, path: path, method: method)
        }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? request("GET", "/healthz")) == 200
            if !ready { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(ready)
        let encodedEmail = email.replacingOccurrences(of: "@", with: "%40")
        #expect(try request("POST", "/gc/demo/user?secret=\(secrets[0])&user_id=u1&email=\(encodedEmail)&created_at=2026-10-01+10%3A00%3A00") == 200)
        #expect(try request("POST", "/gc/demo/user?secret=wrong-\(secrets[0])&user_id=u2") == 403)
        #expect(try request("POST", "/gc/demo/order?secret=\(secrets[0])&order_id=o1&user_id=u1&status=new&cost_money_value=abc&created_at=2026-10-01+10%3A00%3A00") == 400)
        #expect(try request("GET", "/gc/demo/learning/lesson_opened?secret=\(secrets[0])&user_id=u1&course_id=c1&occurred_at=2026-10-01+10%3A00%3A00") == 200)
        // Configured (else 403) but unsigned: the learning secret is read from the environment and never printed.
        #expect(try request("POST", "/learning/demo") == 401)
        ingest.terminate()
        ingest.wait()

        let output = try String(contentsOf: logFile, encoding: .utf8)
        #expect(!output.isEmpty, "trace logging produced nothing to check")
        for secret in secrets + [email, email.lowercased(), encodedEmail] {
            #expect(!output.contains(secret), "the log contains \(secret)")
        }
        // Every line the request handling logs carries the request id and the project, for following one request.
        let requestLines = output.split(separator: "\n").filter { $0.contains("[Ingest]") }
        #expect(requestLines.count >= 3, "one line per request at least")
        for line in requestLines {
            #expect(line.contains("hb.request.id=") && line.contains("project="), "\(line)")
        }
        let webhookLines = requestLines.filter { $0.contains("route=/gc/") }
        #expect(webhookLines.count == 4 && webhookLines.allSatisfy { $0.contains("project=demo") }, "\(webhookLines)")
        #expect(requestLines.contains { $0.contains("status=403") && $0.contains("reason=secret") })
        #expect(requestLines.contains { $0.contains("status=400") && $0.contains("reason=cost_money_value") && !$0.contains("\"abc\"") })
    }
}
