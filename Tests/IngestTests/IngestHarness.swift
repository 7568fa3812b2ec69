import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Kafka
import Logging
import Prometheus

/// One mock Kafka cluster, producer and router per test, so tests run in parallel without sharing anything.
struct IngestHarness {
    static let project = "school"
    static let secret = "gc-s3cret"
    static let telegramSecret = "tg-s3cret"
    static let linkSecret = "link-s3cret"
    static let learningSecret = "learn-s3cret"
    static let unisenderKey = "6gq7b4rgx3w7pd6jx1m3y3gwjx3h8bja"
    /// A P-256 public key (base64 DER) whose private half nobody keeps: no signature can verify.
    static let sendgridKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+r4JAGHQ33OnNgH1KUrqTsf0wUPu7sMvSYA4LScpaizzTj0BgmH7Aq7eRg/C57Ybvd2ZbNhJDEIpgpGSpai4sQ=="

    let cluster: KafkaMockCluster
    let producer: KafkaProducer
    let registry = PrometheusCollectorRegistry()
    let router: Router<BasicRequestContext>
    let topics = EventTopics()

    /// - Parameters:
    ///   - cluster: a cluster to reuse (an ingest "restart" against the same Kafka); a fresh one by default.
    ///   - producerProperties: librdkafka properties of the producer (e.g. a small `queue.buffering.max.messages`).
    ///   - chatAliases: the Telegram alias store (in memory by default).
    init(
        deliveryTimeoutMilliseconds: Int = 30_000, maxBodyBytes: Int = 1 << 20, cluster: KafkaMockCluster? = nil,
        producerProperties: [String: String] = [:], sendgridKey: String = IngestHarness.sendgridKey,
        chatAliases: ChatAliasStore = ChatAliasStore(), logger: Logger = IngestHarness.logger()
    ) throws {
        if let cluster {
            self.cluster = cluster
        } else {
            self.cluster = try KafkaMockCluster(brokers: 1, logger: logger)
            for topic in topics.all { try self.cluster.createTopic(topic, partitions: 1) }
        }
        producer = try KafkaProducer(
            configuration: self.cluster.configuration(properties: producerProperties),
            deliveryTimeoutMilliseconds: deliveryTimeoutMilliseconds, logger: logger)
        let credentials = ProjectCredentials(
            secret: Self.secret, salt: Self.salt, telegramSecret: Self.telegramSecret, unisenderKey: Self.unisenderKey,
            sendgridKey: sendgridKey, linkSecret: Self.linkSecret, learningSecret: Self.learningSecret, allowedHosts: ["school.ru"])
        let configuration = IngestConfiguration(maxBodyBytes: maxBodyBytes, projects: ["SCHOOL": credentials])
        router = IngestApplication.buildRouter(
            configuration: configuration, producer: producer,
            admin: try KafkaAdmin(configuration: self.cluster.configuration(), logger: logger),
            registry: registry, metrics: IngestMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger,
            chatAliases: chatAliases, now: { Self.arrival })
    }

    /// The arrival clock of every harness: fixed, so ids derived from it are known in advance.
    static let arrival = Instant(rfc3339: "2026-01-15T10:00:00Z")!
    static let salt = "s4lt"

    /// Quiet unless INGEST_TEST_LOG names a level.
    static func logger() -> Logger {
        var logger = Logger(label: "ingest-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["INGEST_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Runs `body` against the router, without sockets.
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await Application(router: router, logger: Self.logger()).test(.router, body)
    }

    /// Every message of every SPEC topic, by topic.
    func allMessages(atLeast count: Int = 0, within limit: Duration = .seconds(10)) async throws -> [String: [KafkaMessage]] {
        let configuration = cluster.configuration()
        let topics = topics.all
        let messages = try await onThread {
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "reader-\(UUID().uuidString)", rebalance: .fromBeginning, logger: Self.logger())
            defer { consumer.close() }
            try consumer.subscribe(topics: topics)
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: limit)
            let quiet = clock.now.advanced(by: .seconds(2))
            var messages: [KafkaMessage] = []
            while clock.now < deadline && (messages.count < count || clock.now < quiet) {
                messages += try consumer.pollBatch(maxMessages: 500, timeout: .milliseconds(200))
                if count > 0 && messages.count >= count && clock.now >= quiet { break }
            }
            return messages
        }
        return Dictionary(grouping: messages, by: \.topic)
    }

    /// Every message now in `topic`, read back with a consumer group of its own.
    func messages(in topic: String, atLeast count: Int = 0, within limit: Duration = .seconds(10)) async throws -> [KafkaMessage] {
        let configuration = cluster.configuration()
        return try await onThread {
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "reader-\(UUID().uuidString)", rebalance: .fromBeginning, logger: Self.logger())
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: limit)
            // Poll at least a couple of seconds so that "nothing produced" is really nothing, not "not yet".
            let quiet = clock.now.advanced(by: .seconds(2))
            var messages: [KafkaMessage] = []
            while clock.now < deadline && (messages.count < count || clock.now < quiet) {
                messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
                if count > 0 && messages.count >= count && clock.now >= quiet { break }
            }
            return messages
        }
    }
}

/// Runs blocking librdkafka calls on a thread of their own, keeping the cooperative pool free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

extension HTTPFields {
    /// One header by its name as text (HTTPTypes' `HTTPField.Name` is not re-exported by Hummingbird).
    static func header(_ name: String, _ value: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.init(name)!] = value
        return fields
    }
}
