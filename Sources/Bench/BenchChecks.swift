import Events
import Foundation
import Kafka
import Postgres
import Verification
import Worker

extension BenchRun {
    /// Each stored user once, with whether they registered (`u.first_reg_at` not null in any entry
    /// of the log: a first registration only moves earlier, never away), as a subquery's body.
    static let distinctUsersSQL = """
        SELECT l.project, u.user_id, bool_or(u.first_reg_at IS NOT NULL) AS registered
        FROM pipeline.users_log l CROSS JOIN LATERAL unnest(l.user_ids, l.first_reg_at) AS u(user_id, first_reg_at)
        GROUP BY l.project, u.user_id
        """

    /// The outcome of the exactly-once check.
    struct Check {
        var passed: Bool
        var detail: String
    }

    /// Every distinct envelope applied once and none twice: the worker's own count, the stored
    /// ids, and either every view against the oracle's recomputation or (for large runs) the
    /// per-type totals the generator knows.
    func exactlyOnce(
        databaseURL: String, distinctJSON: [String]?, distinctCount: Int, perType: [EventType: Int], registeredUsers: Int,
        workerOutputs: [String]
    ) throws -> Check {
        var problems: [String] = []
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let summaries = workerOutputs.map { $0.split(separator: "\n").last { $0.hasPrefix("worker done:") }.map(String.init) ?? "" }
        let applied = summaries.map { WorkerSummaryLine.applied(in: $0) }
        if applied.contains(nil) || applied.map({ $0 ?? 0 }).reduce(0, +) != distinctCount {
            problems.append("worker summaries \(summaries.map { "\"\($0)\"" }.joined(separator: ", ")) do not add up to \(distinctCount) applied")
        }
        for summary in summaries where WorkerSummaryLine.deadLetters(in: summary) != 0 { problems.append("dead letters: \(summary)") }
        let stored = try connection.execute("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches").rows[0].decode(0, as: Int.self)
        if stored != distinctCount { problems.append("\(stored) ids stored, \(distinctCount) distinct envelopes") }
        var method: String
        if let distinctJSON {
            let started = ContinuousClock.now
            let events = try distinctJSON.map { try Event.decode(json: Array($0.utf8)) }
            let oracle = Oracle(events: events, rates: [])
            let differences = try BIComparison.differences(connection, oracle)
            problems += differences.prefix(5)
            if differences.count > 5 { problems.append("… \(differences.count - 5) more differences") }
            method = "all \(BIComparison.views.count) bi views equal the oracle's recomputation (\(seconds(started.duration(to: .now))) s)"
        } else {
            // Totals the generator knows, counted from the stored state independently of the views' arithmetic.
            let registered = try connection.execute(
                "SELECT count(*) FILTER (WHERE registered) FROM (\(Self.distinctUsersSQL)) users")
                .rows[0].decode(0, as: Int.self)
            if registered != registeredUsers { problems.append("\(registered) registered users stored, \(registeredUsers) generated") }
            method = "totals: ids, \(registered) registered users (the oracle runs up to \(options.oracleLimit) events)"
        }
        let breakdown = EventType.allCases.map { "\($0.rawValue) \(perType[$0] ?? 0)" }.joined(separator: ", ")
        return Check(
            passed: problems.isEmpty,
            detail: problems.isEmpty
                ? "\(distinctCount) distinct applied once (\(breakdown)); \(method)"
                : problems.joined(separator: "; "))
    }

    /// Replays the topics through the worker's statements in a fresh database, timing only PostgreSQL.
    func writeCeiling(databaseURL: String, cluster: KafkaMockCluster, topics: EventTopics, work: String) throws
        -> (events: Int, seconds: Duration, detail: String)
    {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let ceiling = WriteCeiling(groupID: "bench-ceiling")
        let consumer = try KafkaConsumer(
            configuration: cluster.configuration(properties: WorkerTuning.consumerProperties),
            groupID: "bench-ceiling-\(UUID().uuidString.prefix(8))", rebalance: .fromBeginning, logger: logger)
        defer { consumer.close() }
        try consumer.subscribe(topics: topics.eventTopics)
        var read = 0
        var database = Duration.zero
        var batches = 0
        let started = ContinuousClock.now
        while read < options.events {
            let batch = try consumer.pollBatch(maxMessages: options.batchSize, timeout: .milliseconds(200))
            guard !batch.isEmpty else {
                if started.duration(to: .now) > .seconds(900) { throw BenchError("write ceiling: read \(read) in 900 s") }
                continue
            }
            read += batch.count
            batches += 1
            database += try ceiling.apply(batch, in: connection)
        }
        let top = ceiling.statementTimes.prefix(12).map { "\($0.statement) \(percent($0.time.seconds / database.seconds))" }
        return (read, database, "the worker's statements for the same \(batches) batches in a fresh database, one transaction each, PostgreSQL time only (\(seconds(database)) s); largest: \(top.joined(separator: ", "))")
    }
}

/// Consumer settings the worker and the benchmark's readers share.
enum WorkerTuning {
    static let consumerProperties: [String: String] = WorkerConfiguration.consumerDefaults
}

/// Reads the worker's closing line ("worker done: 25 batches, 486801 messages, 472224 applied, …,
/// 0 dead letters; waited 1.14 s for messages, 5.18 s for commits").
enum WorkerSummaryLine {
    /// The number before " applied,", or nil when the line has none.
    static func applied(in line: String) -> Int? {
        number(before: " applied,", in: line).flatMap { Int($0) }
    }

    /// The number before " dead letters", or nil when the line has none.
    static func deadLetters(in line: String) -> Int? {
        number(before: " dead letters", in: line).flatMap { Int($0) }
    }

    /// Seconds the owner's thread waited for the broker and for running transactions, or nil when
    /// the line has none.
    static func waits(in line: String) -> (messages: Double, commits: Double)? {
        guard let messages = number(before: " s for messages", in: line).flatMap({ Double($0) }),
              let commits = number(before: " s for commits", in: line).flatMap({ Double($0) }) else { return nil }
        return (messages, commits)
    }

    /// The digits (and decimal point) right before `marker`.
    private static func number(before marker: String, in line: String) -> String? {
        guard let range = line.range(of: marker) else { return nil }
        let number = String(line[..<range.lowerBound].reversed().prefix { $0.isNumber || $0 == "." }.reversed())
        return number.isEmpty ? nil : number
    }
}
