import Foundation
import Events
import Kafka
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Worker

/// One isolated world per test: its own topics on a mock cluster, its own database, its own group.
struct WorkerHarness {
    let cluster: KafkaMockCluster
    let topics: EventTopics
    let databaseURL: String
    let groupID: String
    let logger: Logger

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// - Parameter server: the PostgreSQL to use (default: the one shared by the test process).
    init(partitions: Int32 = 4, server: ThrowawayPostgres = .shared) throws {
        var logger = Logger(label: "worker-tests")
        logger.logLevel = .error
        self.logger = logger
        let suffix = UUID().uuidString.prefix(8).lowercased()
        cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        topics = EventTopics(
            clicks: "t\(suffix).clicks", registrations: "t\(suffix).registrations", orders: "t\(suffix).orders",
            mails: "t\(suffix).mails", chat: "t\(suffix).chat", adStats: "t\(suffix).adstats",
            deadLetter: "t\(suffix).deadletter")
        for topic in topics.all {
            try cluster.createTopic(topic, partitions: topic == topics.deadLetter ? 1 : partitions)
        }
        databaseURL = try server.createDatabase(prefix: "worker")
        groupID = "workers-\(suffix)"
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        try Migrator(directory: Self.packageRoot.appendingPathComponent("schemas/migrations"), logger: logger)
            .migrate(connection)
    }

    var kafka: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

    func workerConfiguration(untilCaughtUp: Bool = true, batch: Int = 500) -> WorkerConfiguration {
        var configuration = WorkerConfiguration(kafka: kafka, databaseURL: databaseURL)
        configuration.groupID = groupID
        configuration.topics = topics
        configuration.untilCaughtUp = untilCaughtUp
        configuration.maxBatchMessages = batch
        return configuration
    }

    /// Produces raw values keyed as `pipeline produce` would (invalid ones with a key of our choosing).
    func produce(_ values: [String], topic: String? = nil) throws {
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let messages = values.map { value -> KafkaOutgoingMessage in
            if let event = try? Event.decode(json: Array(value.utf8)) {
                return KafkaOutgoingMessage(
                    topic: topic ?? topics.topic(for: event.type), key: Array(event.partitionKey.utf8),
                    value: Array(value.utf8))
            }
            return KafkaOutgoingMessage(topic: topic ?? topics.registrations, key: Array("bad".utf8), value: Array(value.utf8))
        }
        _ = try producer.sendAndWait(messages, timeout: .seconds(30))
    }

    /// A new connection to the harness's database; the caller closes it.
    func connection() throws -> PostgresConnection {
        try PostgresConnection(connectionString: databaseURL, logger: logger)
    }

    func result(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        let connection = try connection()
        defer { connection.close() }
        return try connection.execute(sql, parameters)
    }

    /// Stores currency rates as `pipeline fx import` would.
    func importRates(_ rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)]) throws {
        _ = try result(
            """
            INSERT INTO pipeline.fx_rates (base_currency, currency, day, rate)
            SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::numeric[])
            """,
            [rates.map(\.base), rates.map(\.currency), rates.map(\.day.description), rates.map(\.rate.description)])
    }

    func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> [[String?]] {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let result = try connection.execute(sql, parameters)
        return result.rows.map { row in (0..<result.columns.count).map { row[$0] } }
    }

    /// Registrations per (project, day), summed over attributions, as `bi.funnel_daily` holds them.
    func registrationsDaily() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try query(
            "SELECT project, day::text, sum(registrations) FROM bi.funnel_daily GROUP BY 1, 2 HAVING sum(registrations) > 0")
        {
            result["\(row[0]!) \(row[1]!)"] = Int(row[2]!)!
        }
        return result
    }
}

/// A registration envelope as the platform's producer would write it.
func registrationJSON(id: String, project: String = "school-a", user: String, at occurredAt: String,
                      source: String = "yandex") -> String {
    """
    {"id":"\(id)","type":"registration","project":"\(project)","source":"getcourse","occurred_at":"\(occurredAt)",\
    "data":{"user_id":"\(user)","utm":{"source":"\(source)","campaign":"c1","content":"a1"}}}
    """
}
