import Foundation
import PipelineTestSupport
import Testing

/// TLS and SASL for Kafka, and sslmode for PostgreSQL, are not options of ours: they are librdkafka
/// properties (`PIPELINE_KAFKA_<PROPERTY>`) and libpq parameters (in `DATABASE_URL`) passed through.
/// Each test misconfigures one on purpose and expects the library's own error, naming it.
@Suite("Kafka TLS/SASL and PostgreSQL sslmode reach librdkafka and libpq")
struct SecurityPassThroughTests {
    /// Runs `pipeline <arguments>` with `environment` on top of the test's and returns its exit status and output.
    static func pipeline(_ arguments: [String], environment extra: [String: String]) throws -> (status: Int32, output: String) {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("passthrough-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let process = try ChildProcess(
            executable: try PipelineExecutable.url().path, arguments: arguments, environment: extra,
            standardOutput: .file(outputFile.path), standardError: .standardOutput)
        // Misconfigured clients fail at once; a run that does not end in 60 s ignored the setting.
        var ended = process.wait(upTo: .seconds(60))
        if ended == nil {
            process.terminate()
            ended = process.wait()
        }
        return (ended?.status ?? -1, try String(contentsOf: outputFile, encoding: .utf8))
    }

    /// A Kafka address nobody listens on: the settings must fail before any connection matters.
    static let brokers = "127.0.0.1:1"

    @Test("ssl.ca.location from PIPELINE_KAFKA_SSL_CA_LOCATION: librdkafka refuses the missing file, naming the property",
          arguments: [["worker", "--until-caught-up"], ["ingest", "--port", "0"]])
    func kafkaCALocation(arguments: [String]) async throws {
        let missing = "/nonexistent/chaos-ca-\(UUID()).pem"
        // A reachable database, so the worker gets as far as building its Kafka clients.
        let database = try ThrowawayPostgres.shared.createDatabase(prefix: "passthrough")
        let (status, output) = try await onOwnThread {
            try Self.pipeline(arguments, environment: [
                "KAFKA_BROKERS": Self.brokers, "DATABASE_URL": database,
                "PIPELINE_PROJECT_DEMO_SALT": "s", "LOG_LEVEL": "error",
                "PIPELINE_KAFKA_SECURITY_PROTOCOL": "ssl", "PIPELINE_KAFKA_SSL_CA_LOCATION": missing,
            ])
        }
        #expect(status != 0)
        #expect(output.contains("ssl.ca.location failed"), "\(output)")
        #expect(output.contains(missing), "\(output)")
    }

    @Test("security.protocol and sasl.mechanisms from the environment: librdkafka's own validation errors")
    func kafkaSecurityProtocolAndSASL() async throws {
        let database = try ThrowawayPostgres.shared.createDatabase(prefix: "passthrough")
        let (protocolStatus, protocolOutput) = try await onOwnThread {
            try Self.pipeline(["worker", "--until-caught-up"], environment: [
                "KAFKA_BROKERS": Self.brokers, "DATABASE_URL": database, "LOG_LEVEL": "error",
                "PIPELINE_KAFKA_SECURITY_PROTOCOL": "carrier_pigeon",
            ])
        }
        #expect(protocolStatus != 0)
        // librdkafka refuses the value when it is set; the error names the property, not the value.
        #expect(protocolOutput.contains("property 'security.protocol'"), "\(protocolOutput)")

        let (saslStatus, saslOutput) = try await onOwnThread {
            try Self.pipeline(["worker", "--until-caught-up"], environment: [
                "KAFKA_BROKERS": Self.brokers, "DATABASE_URL": database, "LOG_LEVEL": "error",
                "PIPELINE_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext", "PIPELINE_KAFKA_SASL_MECHANISMS": "CARRIER-PIGEON",
                "PIPELINE_KAFKA_SASL_USERNAME": "worker", "PIPELINE_KAFKA_SASL_PASSWORD": "pass-7a1f",
            ])
        }
        #expect(saslStatus != 0)
        #expect(saslOutput.contains("Unsupported SASL mechanism: CARRIER-PIGEON"), "\(saslOutput)")
        #expect(!saslOutput.contains("pass-7a1f"))
    }

    @Test("sslmode=require in DATABASE_URL reaches libpq: a server without SSL is refused with libpq's error",
          arguments: [["worker", "--until-caught-up"], ["migrate"]])
    func postgresSSLMode(arguments: [String]) async throws {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "sslmode")
        #expect(url.contains("sslmode=disable"))
        let required = url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        let (status, output) = try await onOwnThread {
            try Self.pipeline(arguments, environment: [
                "KAFKA_BROKERS": Self.brokers, "DATABASE_URL": required, "LOG_LEVEL": "error",
            ])
        }
        #expect(status != 0)
        #expect(output.contains("server does not support SSL, but SSL was required"), "\(output)")
    }
}
