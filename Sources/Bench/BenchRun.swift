import Events
import Foundation
import Kafka
import Logging
import PipelineTestSupport
import Postgres
import Verification

/// One `pipeline-bench` run: a throwaway PostgreSQL and librdkafka's mock cluster, a generated
/// data set pre-loaded to the topics, then the real `pipeline worker` (a child process), the
/// ceilings around it, the Python baseline, ingest under wrk and freshness, each measured.
public struct BenchRun {
    /// What to run.
    public struct Options: Sendable {
        public var events = 1_000_000
        public var users = 100_000
        public var seed: UInt64 = 6
        /// The `pipeline` executable the children run (pipeline-bench: the one beside it, or --pipeline).
        public var executable: String
        /// Compare every view with the oracle (a full recomputation) up to this many events;
        /// above it only row counts and totals are compared.
        public var oracleLimit = 300_000
        /// bench/baseline.py, or nil to skip the Python baseline.
        public var pythonBaseline: String?
        /// Run the ingest load (wrk) and the freshness probe.
        public var ingest = true
        /// Seconds of each wrk run.
        public var ingestSeconds = 10
        /// The executable whose `worker` is measured, when not `executable`.
        public var workerExecutable: String?
        /// Worker batch size (its --batch-size).
        public var batchSize = 20_000
        /// Worker processes started together in one consumer group.
        public var workers = 1
        /// Whether to replay the topics through the worker's statements for PostgreSQL's rate.
        public var writeCeiling = true

        public init(executable: String) { self.executable = executable }
    }

    public let options: Options
    let logger: Logger
    /// Progress lines (to standard error).
    let progress: (String) -> Void

    public init(options: Options, logger: Logger, progress: @escaping (String) -> Void) {
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    /// Messages per partition: the mock cluster keeps about 5 MiB per partition and silently drops
    /// older data, and an envelope takes about 400 bytes there.
    static let messagesPerPartition = 8_000

    /// The settings that bound the worker's transactions, as the server reports them.
    static func postgresSettings(_ databaseURL: String, logger: Logger) throws -> String {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let names = ["max_connections", "max_locks_per_transaction", "shared_buffers", "max_wal_size", "fsync",
                     "synchronous_commit"]
        let rows = try connection.execute(
            "SELECT name, setting, coalesce(unit, '') FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name",
            [names]).rows
        return try rows.map { row in
            let unit = try row.decode(2, as: String.self)
            // shared_buffers is counted in 8kB pages, max_wal_size in MB: shown as the server's units say.
            return "\(try row.decode(0, as: String.self))=\(try row.decode(1, as: String.self))\(unit.isEmpty ? "" : " × " + unit)"
        }.joined(separator: ", ")
    }

    /// Runs everything and returns the table.
    public func run() throws -> BenchTable {
        var table = BenchTable()
        let work = NSTemporaryDirectory() + "pipeline-bench-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        progress("starting PostgreSQL and the mock cluster")
        let postgres = try ThrowawayPostgres()
        defer { postgres.stop() }
        let databaseURL = try postgres.createDatabase(prefix: "bench")
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let topics = EventTopics()
        // Orders and payments share a topic: sized by everything that goes to it.
        var expected: [String: Int] = [:]
        for type in EventType.allCases {
            expected[topics.topic(for: type), default: 0] += BenchEvents.expectedCount(of: type, total: options.events)
        }
        let partitions = expected.mapValues { count in
            Int32(max(2, (count * 13 / 10 + Self.messagesPerPartition - 1) / Self.messagesPerPartition))
        }
        for topic in topics.all { try cluster.createTopic(topic, partitions: partitions[topic] ?? 2) }
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "DATABASE_URL": databaseURL, "LOG_LEVEL": "warning",
        ]
        try runChild(["migrate"], environment: environment, work: work, name: "migrate")
        table.add("PostgreSQL settings", try Self.postgresSettings(databaseURL, logger: logger),
                  "stock but fsync=off unless THROWAWAY_PG_OPTIONS says otherwise (ops/postgres-throwaway.sh)")

        // The data set.
        progress("generating and producing \(options.events) events (\(options.users) users)")
        let generated = ContinuousClock.now
        var generator = BenchEvents(settings: BenchEvents.Settings(count: options.events, users: options.users, seed: options.seed))
        var outgoing: [KafkaOutgoingMessage] = []
        var distinct: [String] = []
        let keepDistinct = options.events <= options.oracleLimit
        var distinctCount = 0
        var perType: [EventType: Int] = [:]
        var registered = Set<String>()
        let producer = try KafkaProducer(configuration: cluster.configuration(properties: [
            "batch.num.messages": "10000", "queue.buffering.max.messages": "200000",
            "queue.buffering.max.kbytes": "1048576",
        ]), lingerMilliseconds: 20, deliveryTimeoutMilliseconds: 300_000, logger: logger)
        var producing = Duration.zero
        while let envelope = generator.next() {
            if !envelope.isRepeat {
                distinctCount += 1
                perType[envelope.type, default: 0] += 1
                if envelope.type == .registration { registered.insert(envelope.key) }
                if keepDistinct { distinct.append(envelope.json) }
            }
            outgoing.append(KafkaOutgoingMessage(EventRecord(type: envelope.type, key: envelope.key, json: Array(envelope.json.utf8), topics: topics)))
            if outgoing.count == 50_000 {
                let started = ContinuousClock.now
                _ = try producer.sendAndWait(outgoing, timeout: .seconds(300))
                producing += started.duration(to: .now)
                outgoing.removeAll(keepingCapacity: true)
            }
        }
        let started = ContinuousClock.now
        _ = try producer.sendAndWait(outgoing, timeout: .seconds(300))
        producing += started.duration(to: .now)
        outgoing = []
        // The mock cluster drops a partition's oldest data beyond ~5 MiB without a word: check.
        let admin = try KafkaAdmin(configuration: cluster.configuration(), logger: logger)
        var held: Int64 = 0
        for topic in topics.eventTopics {
            for partition in 0..<(partitions[topic] ?? 0) {
                let marks = try admin.watermarks(topic: topic, partition: partition, timeout: .seconds(10))
                held += marks.high - marks.low
            }
        }
        guard held == Int64(options.events) else {
            throw BenchError("the mock cluster holds \(held) of \(options.events) envelopes: a partition went over ~5 MiB")
        }
        let totalPartitions = partitions.filter { $0.key != topics.deadLetter }.values.reduce(0) { $0 + Int($1) }
        table.add("data set", "\(options.events) envelopes, \(distinctCount) distinct, \(options.users) users",
                  "9 types, 3 projects, \(totalPartitions) partitions, produced in \(seconds(producing)) s (\(format(generated.duration(to: .now))) s with generation)")

        // The consume ceiling: the same topics read by librdkafka, messages discarded.
        progress("consume ceiling")
        let consume = try consumeAll(cluster: cluster, topics: topics.eventTopics, expected: options.events)
        table.add("consume ceiling", "\(rate(options.events, consume.total)) msg/s",
                  "librdkafka, same topics, discarded; \(seconds(consume.total)) s incl. \(seconds(consume.join)) s group join")

        // The worker, the real binary: one process, or several in one consumer group.
        progress("pipeline worker --until-caught-up" + (options.workers > 1 ? " × \(options.workers)" : ""))
        let writesMeter = PostgresWrites(databaseURL: databaseURL, logger: logger)
        let writesBefore = try writesMeter.read()
        let server = try ServerCPU(databaseURL: databaseURL, logger: logger)
        let serverBefore = try server.seconds()
        let firstBatch = FirstBatchWatch(databaseURL: databaseURL, logger: logger)
        let names = options.workers == 1 ? ["worker"] : (1...options.workers).map { "worker-\($0)" }
        let usages = try runChildren(
            ["worker", "--until-caught-up", "--batch-size", "\(options.batchSize)"], environment: environment, work: work,
            names: names, executable: options.workerExecutable)
        let join = firstBatch.stop()
        let wall = usages.map(\.wall).max()!
        let user = usages.map(\.userSeconds).reduce(0, +), system = usages.map(\.systemSeconds).reduce(0, +)
        let workerRate = Double(options.events) / wall.seconds
        let applying = join.map { wall - $0 }
        let who = options.workers == 1 ? "the real binary" : "\(options.workers) processes of the real binary in one group"
        let waits = try names.compactMap { name -> (messages: Double, commits: Double)? in
            let output = try String(contentsOfFile: work + "/\(name).out", encoding: .utf8)
            return output.split(separator: "\n").last { $0.hasPrefix("worker done:") }.flatMap { WorkerSummaryLine.waits(in: String($0)) }
        }
        let waited = waits.isEmpty ? "" : String(
            format: "; waited %.2f s for the broker and %.2f s for PostgreSQL's commits (the applying thread%@)",
            waits.map(\.messages).reduce(0, +), waits.map(\.commits).reduce(0, +), waits.count == 1 ? "" : "s, summed")
        table.add("worker throughput", "\(Int(workerRate)) events/s",
                  "\(options.events) envelopes in \(seconds(wall)) s wall, \(who), until caught up; "
                    + (applying.map { "\(rate(options.events, $0)) events/s after the first batch committed at \(seconds(join!)) s (start-up: lease, state, partitions)" } ?? "")
                    + waited)
        table.add("worker CPU", "\(String(format: "%.2f", (user + system) / Double(options.events) * 1e6)) s per million events",
                  "user \(String(format: "%.2f", user)) s + system \(String(format: "%.2f", system)) s (getrusage of the child"
                    + (options.workers == 1 ? ")" : "ren, summed)"))
        // The worker's backend ends as the worker exits; its time reaches the postmaster's reaped
        // total (or is still counted live) at this reading.
        let serverSeconds = try server.seconds() - serverBefore
        let perMillion = { (seconds: Double) in seconds / Double(options.events) * 1e6 }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let both = perMillion(user + system) + perMillion(serverSeconds)
        table.add("PostgreSQL CPU", "\(String(format: "%.2f", perMillion(serverSeconds))) s per million events",
                  "the server's processes (backends, WAL writer, checkpointer; /proc) during the worker's run; "
                    + "worker + server \(String(format: "%.2f", both)) CPU s per million events: on \(cores) cores at most "
                    + "\(Int(Double(cores) / both * 1e6)) events/s, were both always busy side by side")
        table.add("worker peak RSS", "\(usages.map(\.peakRSS).max()! / 1_048_576) MB",
                  "\(options.users) users known" + (options.workers == 1 ? "" : "; the largest of the \(options.workers) processes"))
        table.add("worker / consume ceiling", "\(percent(consume.total.seconds / wall.seconds))", "")
        // SPEC-independent cost of the design: what each event makes PostgreSQL write (issue #19's targets).
        let written = try writesMeter.difference(from: writesBefore, to: try writesMeter.read())
        table.add("PostgreSQL writes per event",
                  String(format: "%.2f rows, %.0f WAL bytes", Double(written.rows) / Double(options.events),
                         Double(written.walBytes) / Double(options.events)),
                  "\(written.rows) rows inserted, updated or deleted in schema pipeline (pg_stat_user_tables), "
                    + "\(written.walBytes / 1_048_576) MiB of WAL in \(written.walRecords) records, \(written.fullPageImages) of them with "
                    + "full-page images (pg_stat_wal: a page's first change after a checkpoint, up to 8 kB), over \(options.events) envelopes; per table: "
                    + written.perTable.prefix(12).map {
                        "\($0.table) \(String(format: "%.2f", Double($0.rows) / Double(options.events)))"
                    }.joined(separator: ", "))

        // Exactly once.
        progress("exactly-once check")
        let check = try exactlyOnce(
            databaseURL: databaseURL, distinctJSON: keepDistinct ? distinct : nil, distinctCount: distinctCount, perType: perType, registeredUsers: registered.count,
            workerOutputs: try names.map { try String(contentsOfFile: work + "/\($0).out", encoding: .utf8) })
        distinct = []
        table.add("exactly once", check.passed ? "passed" : "FAILED", check.detail)

        // Recovery: what a worker restarted after kill -9 does over the full state (the lease is free
        // once the dead process's session ends): take the lease, load every user, order, payment and
        // applied id, assign the partitions at the stored offsets, apply what came meanwhile.
        progress("recovery: a new worker over the full state")
        try measureRecovery(environment: environment, databaseURL: databaseURL, topics: topics, producer: producer,
                            work: work, into: &table)

        // What the per-role narrowing of the bi views costs BI queries (SPEC §6).
        progress("BI queries as the all-projects role and as a contractor")
        let access = try BIAccessTiming.measure(databaseURL: databaseURL, logger: logger)
        table.add("BI queries, contractor / all projects",
                  "\(String(format: "%.1f", access.contractorMilliseconds)) / \(String(format: "%.1f", access.readerMilliseconds)) ms"
                      + " (\(String(format: "%.2f", access.contractorMilliseconds / max(access.readerMilliseconds, 0.001)))×)",
                  access.detail)
        let population = try BIAccessTiming.measurePopulation(databaseURL: databaseURL, logger: logger)
        table.add("BI queries over every id", "\(String(format: "%.1f", population.milliseconds)) ms", population.detail)

        // PostgreSQL's rate for the worker's own write pattern.
        if options.writeCeiling {
            progress("PostgreSQL write ceiling")
            let ceilingURL = try postgres.createDatabase(prefix: "bench_ceiling")
            try runChild(["migrate"], environment: ["DATABASE_URL": ceilingURL, "LOG_LEVEL": "warning"], work: work, name: "migrate-ceiling")
            let writes = try writeCeiling(databaseURL: ceilingURL, cluster: cluster, topics: topics, work: work)
            table.add("PostgreSQL write ceiling", "\(rate(writes.events, writes.seconds)) events/s", writes.detail)
            table.add("worker / PostgreSQL ceiling", percent(workerRate / (Double(writes.events) / writes.seconds.seconds)), "")
        }

        if let script = options.pythonBaseline {
            progress("Python baseline")
            let baselineURL = try postgres.createDatabase(prefix: "bench_python")
            let python = try runChild(
                ["python3", script, "--brokers", cluster.bootstrapServers, "--database", baselineURL,
                 "--expect", "\(options.events)"],
                environment: [:], work: work, name: "python", executable: "/usr/bin/env")
            let pythonRate = Double(options.events) / python.wall.seconds
            let output = (try? String(contentsOfFile: work + "/python.out", encoding: .utf8)) ?? ""
            table.add("Python baseline", "\(Int(pythonRate)) events/s",
                      "confluent-kafka + psycopg, funnel_daily + cohort counters; \(seconds(python.wall)) s, CPU \(String(format: "%.1f", python.cpuSeconds)) s; \(output.split(separator: "\n").last.map(String.init) ?? "")")
            table.add("worker / Python baseline", String(format: "%.1f×", workerRate / pythonRate), "")
        }

        if options.ingest {
            try IngestBench(run: self, cluster: cluster, databaseURL: databaseURL, work: work).measure(into: &table)
        }
        return table
    }

    /// Produces 2,000 envelopes more (another seed: new ids), starts a new worker process and times
    /// its first committed batch.
    private func measureRecovery(
        environment: [String: String], databaseURL: String, topics: EventTopics, producer: KafkaProducer, work: String,
        into table: inout BenchTable
    ) throws {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let applied = try connection.execute("SELECT coalesce(sum(next_offset), 0)::bigint FROM pipeline.consumer_offsets")
            .rows[0].decode(0, as: Int64.self)
        let state = try connection.execute("""
            SELECT (SELECT count(*) FROM (\(Self.distinctUsersSQL)) users), (SELECT count(*) FROM pipeline.orders),
                   (SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches)::bigint
            """).rows[0]
        var more = BenchEvents(settings: BenchEvents.Settings(count: 2_000, users: options.users, seed: options.seed &+ 1))
        var outgoing: [KafkaOutgoingMessage] = []
        while let envelope = more.next() {
            outgoing.append(KafkaOutgoingMessage(EventRecord(
                type: envelope.type, key: envelope.key, json: Array(envelope.json.utf8), topics: topics)))
        }
        _ = try producer.sendAndWait(outgoing, timeout: .seconds(60))
        let watch = FirstBatchWatch(databaseURL: databaseURL, logger: logger, beyond: applied)
        let usage = try runChild(
            ["worker", "--until-caught-up", "--batch-size", "\(options.batchSize)"], environment: environment, work: work,
            name: "worker-recovery", executable: options.workerExecutable)
        guard let first = watch.stop() else { throw BenchError("recovery: the restarted worker committed no batch") }
        table.add("recovery after restart", "\(seconds(first)) s to the first batch",
                  "a new worker process over \(try state.decode(0, as: Int64.self)) users, \(try state.decode(1, as: Int64.self)) orders "
                    + "and \(try state.decode(2, as: Int64.self)) applied ids: lease, state loaded, partitions assigned, "
                    + "2000 new envelopes applied; \(seconds(usage.wall)) s until caught up; peak RSS "
                    + "\(usage.peakRSS / 1_048_576) MB (the state, with batches of 2000 only)")
    }

    /// Runs `pipeline <arguments>` (or `executable`) to completion; throws unless it exits 0.
    @discardableResult
    func runChild(_ arguments: [String], environment: [String: String], work: String, name: String,
                  executable: String? = nil) throws -> ChildProcess.Usage {
        try runChildren(arguments, environment: environment, work: work, names: [name], executable: executable)[0]
    }

    /// Runs one process per name, all at once, with the same arguments (output in `work/<name>.out`
    /// and `.err`); waits for all; throws unless every one exits 0.
    func runChildren(_ arguments: [String], environment: [String: String], work: String, names: [String],
                     executable: String? = nil) throws -> [ChildProcess.Usage] {
        let children = try names.map { name in
            try ChildProcess(
                executable: executable ?? options.executable, arguments: arguments, environment: environment,
                standardOutput: .file("\(work)/\(name).out"), standardError: .file("\(work)/\(name).err"))
        }
        let usages = ChildProcess.waitAll(children)
        for (name, usage) in zip(names, usages) where usage.status != 0 {
            let errors = (try? String(contentsOfFile: "\(work)/\(name).err", encoding: .utf8)) ?? ""
            throw BenchError("\(name) exited with status \(usage.status): \(errors.suffix(2000))")
        }
        return usages
    }

    /// Reads every message of `topics` from the beginning in a fresh group and discards it.
    func consumeAll(cluster: KafkaMockCluster, topics: [String], expected: Int) throws -> (total: Duration, join: Duration) {
        let started = ContinuousClock.now
        let consumer = try KafkaConsumer(
            configuration: cluster.configuration(properties: WorkerTuning.consumerProperties),
            groupID: "bench-consume-\(UUID().uuidString.prefix(8))", rebalance: .fromBeginning, logger: logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: topics)
        var read = 0
        var firstMessage: ContinuousClock.Instant?
        while read < expected {
            let batch = try consumer.pollBatch(maxMessages: 5_000, timeout: .milliseconds(200))
            if !batch.isEmpty, firstMessage == nil { firstMessage = .now }
            read += batch.count
            if started.duration(to: .now) > .seconds(600) { throw BenchError("consume ceiling: read \(read) of \(expected) in 600 s") }
        }
        return (started.duration(to: .now), started.duration(to: firstMessage ?? .now))
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func seconds(_ duration: Duration) -> String { String(format: "%.2f", duration.seconds) }
func format(_ duration: Duration) -> String { seconds(duration) }
func rate(_ count: Int, _ duration: Duration) -> Int { Int(Double(count) / duration.seconds) }
func percent(_ fraction: Double) -> String { String(format: "%.0f%%", fraction * 100) }

/// Watches, from another thread, for the worker's first committed batch (stored offsets grow), so
/// the start-up (lease, state load, partitions assigned) can be told apart from the applying.
final class FirstBatchWatch: @unchecked Sendable {
    // Safe: `seen` and `done` are only touched under `lock`.
    private let lock = NSLock()
    private var seen: Duration?
    private var done = false
    private let started = ContinuousClock.now
    private let thread: Thread

    /// Watches for the stored offsets' sum to pass `beyond` (what earlier runs applied).
    init(databaseURL: String, logger: Logger, beyond: Int64 = 0) {
        let box = Box()
        thread = Thread {
            guard let connection = try? PostgresConnection(connectionString: databaseURL, logger: logger) else { return }
            defer { connection.close() }
            while !(box.watch?.isDone ?? false) {
                let sum = (try? connection.execute(
                    "SELECT coalesce(sum(next_offset), 0)::bigint FROM pipeline.consumer_offsets").rows.first?.decode(0, as: Int64.self)) ?? 0
                if sum > beyond { box.watch?.record(); return }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        box.watch = self
        thread.start()
    }

    private final class Box: @unchecked Sendable {
        // Safe: set once before the thread starts.
        weak var watch: FirstBatchWatch?
    }

    private var isDone: Bool { lock.withLock { done } }
    private func record() { lock.withLock { if seen == nil { seen = started.duration(to: .now) } } }

    /// Stops watching; when the first batch was seen, counted from the start of the watch.
    func stop() -> Duration? {
        lock.withLock {
            done = true
            return seen
        }
    }
}
