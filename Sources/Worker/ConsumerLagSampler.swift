import Events
import Foundation
import Kafka
import Logging
import Metrics
import Postgres

/// Measures now and then how many messages of each consumed partition the group has not applied
/// yet, and publishes it as `pipeline_worker_consumer_lag{topic,partition}`.
///
/// The position is the group's next offset stored in PostgreSQL with the aggregates, not the
/// consumer's fetch position: lag then means "not in the views yet", and every member of the
/// group reports every partition, so the figure survives a member being down (dashboards take
/// the max over members). It runs beside the worker loop, on a thread of its own, with its own
/// Kafka client and database connection, and never slows a batch.
public final class ConsumerLagSampler {
    let configuration: WorkerConfiguration
    let logger: Logger
    private var connection: PostgresConnection?
    private var admin: KafkaAdmin?

    public init(configuration: WorkerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Lag per partition: high watermark − the position the group resumes from. A partition with
    /// nothing stored resumes at its low watermark (the oldest message kept), as the consumer does.
    static func lag(
        watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)], applied: [KafkaTopicPartition: Int64]
    ) -> [KafkaTopicPartition: Int64] {
        var result: [KafkaTopicPartition: Int64] = [:]
        for (partition, marks) in watermarks {
            let position = max(applied[partition] ?? marks.low, marks.low)
            result[partition] = max(0, marks.high - position)
        }
        return result
    }

    /// Measures the lag of every partition of the consumed topics once.
    public func sample() throws -> [KafkaTopicPartition: Int64] {
        let admin = try self.admin ?? KafkaAdmin(configuration: configuration.kafka, logger: logger)
        self.admin = admin
        let existing = try admin.listTopics(timeout: .seconds(10))
        var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for topic in configuration.consumedTopics {
            for partition in 0..<(existing[topic] ?? 0) {
                watermarks[KafkaTopicPartition(topic: topic, partition: partition)] =
                    try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10))
            }
        }
        let connection = try self.connection ?? PostgresConnection(connectionString: configuration.databaseURL, logger: logger)
        self.connection = connection
        let store = OffsetStore(groupID: configuration.groupID, schema: configuration.stateSchema)
        let applied: [KafkaTopicPartition: Int64]
        do {
            applied = try store.nextOffsets(for: Array(watermarks.keys), in: connection)
        } catch {
            // A broken session is replaced at the next sample rather than repaired here.
            connection.close()
            self.connection = nil
            throw error
        }
        return Self.lag(watermarks: watermarks, applied: applied)
    }

    /// Samples every `interval` until `shouldStop` returns true; blocking, for a thread of its own.
    /// A failed sample logs a warning and leaves the last figures in place (their timestamp,
    /// `pipeline_worker_consumer_lag_sampled_timestamp_seconds`, tells how old they are).
    ///
    /// The interval is kept on `clock`, the clock of everything periodic; the loop itself blocks its
    /// own thread (sampling is blocking librdkafka and libpq work), checking `shouldStop` every 100 ms.
    public func run(every interval: Duration, clock: any WallClock = SystemWallClock(), shouldStop: @escaping @Sendable () -> Bool) {
        let metrics = WorkerMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
        let intervalMicroseconds = interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000
        while !shouldStop() {
            let started = clock.now()
            do {
                metrics.recordLag(try sample(), at: Date())
            } catch {
                logger.warning("consumer lag not measured", metadata: ["error": "\(error)"])
            }
            // A clock set back never stalls sampling: a negative elapsed time counts as a full interval.
            while !shouldStop() {
                let elapsed = started.microseconds(to: clock.now())
                if elapsed < 0 || elapsed >= intervalMicroseconds { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        connection?.close()
        connection = nil
    }
}
