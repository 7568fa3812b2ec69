import Aggregation
import Events
import Kafka
import Metrics

/// What a worker consumes, how much at a time, and when it stops.
public struct WorkerConfiguration: Sendable {
    /// Kafka bootstrap servers and pass-through client properties.
    public var kafka: KafkaConfiguration
    /// libpq connection string or URI; "" means libpq defaults (`PG*` variables).
    public var databaseURL: String
    /// Consumer group; offsets are kept per group in PostgreSQL. Default `school-workers`.
    public var groupID: String = "school-workers"
    /// Topic names (SPEC §2 defaults).
    public var topics: EventTopics = EventTopics()
    /// Most messages applied in one transaction. Default 20,000: under a backlog, larger batches
    /// merge more rows per statement (about a tenth more events/s than 5,000 in the benchmark); live, a
    /// batch holds what arrived within `maxBatchWait`.
    public var maxBatchMessages: Int = 20_000
    /// Most messages of the first batch after taking the lease; each later batch may hold twice
    /// as many as the one before, up to `maxBatchMessages` (`BatchRamp`). Default 2,000: the
    /// first batch commits a fraction of a second after the start instead of about one.
    public var firstBatchMessages: Int = 2_000
    /// Longest wait for a batch to fill. Default 200 ms.
    public var maxBatchWait: Duration = .milliseconds(200)
    /// Consumer group session timeout. Default 6,000 ms (what the mock cluster needs).
    public var sessionTimeoutMilliseconds: Int = 6_000
    /// Exit once every partition is applied up to the high watermark seen at start.
    public var untilCaughtUp: Bool = false
    /// Time zones and base currencies of the projects.
    public var projects: ProjectDirectory = ProjectDirectory()
    /// Schema of the state tables and offsets. Default `pipeline`; a rebuild writes a fresh one.
    /// Must be a plain lower-case identifier (it is part of the SQL text, never user data).
    public var stateSchema: String = "pipeline" {
        willSet { precondition(newValue.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) != nil, "bad schema name") }
    }
    /// Where metrics go; nil means the process-wide `MetricsSystem` backend.
    public var metricsFactory: (any MetricsFactory)?
    /// `utm_source` → ad network names (SPEC §3 defaults).
    public var attributionRules: AttributionRules = .default
    /// Records the state log takes after its last snapshot before the next one (at least; also
    /// at least that snapshot's size): small in tests, to exercise snapshots.
    public var stateSnapshotInterval: Int = 200_000
    /// Batches after which the owner folds the logs of sums into their tables (`SummedLog`), unless
    /// `sumsFoldElements` came first: few in tests, to fold beside the batches often.
    public var sumsFoldBatches: Int = SummedLog.FoldLimits().batches
    /// Keys logged to the logs of sums after which the owner folds them, unless `sumsFoldBatches`
    /// came first.
    public var sumsFoldElements: Int = SummedLog.FoldLimits().elements

    public init(kafka: KafkaConfiguration, databaseURL: String) {
        self.kafka = kafka
        self.databaseURL = databaseURL
    }

    /// Consumer properties the worker sets unless the configuration names them: librdkafka's
    /// default pre-fetch queue (64 MiB, plus 1 MiB per partition fetched) was most of the worker's
    /// resident memory over a hundred partitions. A queue of 32 MiB holds about 64,000 envelopes,
    /// three batches, and takes about twice that in librdkafka's heap (fetch buffers and message
    /// structs; +20–30 MB of peak RSS against 8 MiB at 1M events). At 8 MiB, less than one batch,
    /// librdkafka stopped fetching whenever the queue was full and resumed only on its next wake-up:
    /// reading alone (the bench's consume ceiling, 300k envelopes over 166 partitions) gave 75k
    /// messages/s at 8 MiB, 145k at 16, 262k at 32 and 273k at 64, and the worker waited up to 3 s
    /// per million events for the broker and applied 57k events/s against 69k at 32 MiB.
    public static let consumerDefaults: [String: String] = [
        "queued.max.messages.kbytes": "32768",
        "max.partition.fetch.bytes": "262144",
    ]

    /// The Kafka configuration of the worker's consumer: `kafka` with `consumerDefaults` under it.
    public var consumerKafka: KafkaConfiguration {
        var result = kafka
        for (name, value) in Self.consumerDefaults where result.properties[name] == nil { result.properties[name] = value }
        return result
    }

    /// The topics this worker consumes: every event topic.
    public var consumedTopics: [String] { topics.eventTopics }
}
