import Foundation
import Events
import Kafka
import Logging
import Migrations
import Postgres
import Worker

/// One isolated world per test: its own topics on a mock cluster, its own database, its own group.
///
/// Shared by the worker tests and the chaos suite (which needs several brokers and replicated topics).
public struct WorkerHarness: Sendable {
    public let cluster: KafkaMockCluster
    public let topics: EventTopics
    public let databaseURL: String
    public let groupID: String
    public let logger: Logger

    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// - Parameters:
    ///   - server: the PostgreSQL to use (default: the one shared by the test process).
    ///   - brokers: mock brokers; every topic is replicated on `replicationFactor` of them.
    public init(partitions: Int32 = 4, server: ThrowawayPostgres = .shared, brokers: Int = 1, replicationFactor: Int16 = 1) throws {
        var logger = Logger(label: "worker-tests")
        logger.logLevel = .error
        self.logger = logger
        let suffix = UUID().uuidString.prefix(8).lowercased()
        cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        topics = EventTopics(
            clicks: "t\(suffix).clicks", registrations: "t\(suffix).registrations", orders: "t\(suffix).orders",
            mails: "t\(suffix).mails", chat: "t\(suffix).chat", adStats: "t\(suffix).adstats", learning: "t\(suffix).learning",
            deadLetter: "t\(suffix).deadletter")
        for topic in topics.all {
            try cluster.createTopic(
                topic, partitions: topic == topics.deadLetter ? 1 : partitions, replicationFactor: replicationFactor)
        }
        databaseURL = try server.createDatabase(prefix: "worker")
        groupID = "workers-\(suffix)"
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        try Migrator(directory: Self.packageRoot.appendingPathComponent("schemas/migrations"), logger: logger)
            .migrate(connection)
    }

    public var kafka: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

    public func workerConfiguration(untilCaughtUp: Bool = true, batch: Int = 500) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(kafka: kafka, databaseURL: databaseURL)
        configuration.groupID = groupID
        configuration.topics = topics
        configuration.untilCaughtUp = untilCaughtUp
        configuration.maxBatchMessages = batch
        // Folds of the logs of sums beside every few batches, as a long run has them now and then.
        configuration.sumsFoldBatches = 3
        return configuration
    }

    /// Produces raw values keyed as `pipeline produce` would (invalid ones with a key of our choosing).
    public func produce(_ values: [String], topic: String? = nil) throws {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        _ = try producer.sendAndWait(messages(values, topic: topic), timeout: .seconds(120))  // a deadline: megabytes on a loaded 2-core CI
    }

    /// The messages `produce` sends: each event to its type's topic, keyed by its partition key.
    public func messages(_ values: [String], topic: String? = nil) -> [KafkaOutgoingMessage] {
        values.map { value -> KafkaOutgoingMessage in
            if let event = try? Event.decode(json: Array(value.utf8)) {
                return KafkaOutgoingMessage(
                    topic: topic ?? topics.topic(for: event.type), key: Array(event.partitionKey.utf8),
                    value: Array(value.utf8))
            }
            return KafkaOutgoingMessage(topic: topic ?? topics.registrations, key: Array("bad".utf8), value: Array(value.utf8))
        }
    }

    /// A `pipeline worker --config` file naming this harness's topics and the given projects'
    /// time zones and base currencies; the caller removes it.
    public func workerConfigFile(projects: [String: (timeZone: String, baseCurrency: String)] = [:]) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(groupID)-\(UUID()).json")
        let projectsJSON = projects.sorted { $0.key < $1.key }.map {
            #""\#($0.key)": {"time_zone": "\#($0.value.timeZone)", "base_currency": "\#($0.value.baseCurrency)"}"#
        }.joined(separator: ", ")
        try Data("""
            {"topics": {"clicks": "\(topics.clicks)", "registrations": "\(topics.registrations)", "orders": "\(topics.orders)",
                        "mails": "\(topics.mails)", "chat": "\(topics.chat)", "adstats": "\(topics.adStats)", "learning": "\(topics.learning)",
                        "deadletter": "\(topics.deadLetter)"},
             "projects": {\(projectsJSON)}}
            """.utf8).write(to: file)
        return file
    }

    /// A new connection to the harness's database; the caller closes it.
    public func connection() throws -> PostgresConnection {
        try PostgresConnection(connectionString: databaseURL, logger: logger)
    }

    public func result(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        let connection = try connection()
        defer { connection.close() }
        return try connection.execute(sql, parameters)
    }

    /// Stores currency rates as `pipeline fx import` would.
    public func importRates(_ rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)]) throws {
        _ = try result(
            """
            INSERT INTO pipeline.fx_rates (base_currency, currency, day, rate)
            SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::numeric[])
            """,
            [rates.map(\.base), rates.map(\.currency), rates.map(\.day.description), rates.map(\.rate.description)])
    }

    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> [[String?]] {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let result = try connection.execute(sql, parameters)
        return result.rows.map { row in (0..<result.columns.count).map { row[$0] } }
    }

    /// Registrations per (project, day), summed over attributions, as `bi.funnel_daily` holds them.
    public func registrationsDaily() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try query(
            "SELECT project, day::text, sum(registrations) FROM bi.funnel_daily GROUP BY 1, 2 HAVING sum(registrations) > 0")
        {
            result["\(row[0]!) \(row[1]!)"] = Int(row[2]!)!
        }
        return result
    }
}

