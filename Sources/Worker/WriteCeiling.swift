import Aggregation
import Events
import Kafka
import Postgres

/// PostgreSQL's rate for the worker's own write pattern, for the benchmark: the same statements a
/// batch runs (offsets locked and stored, ids recorded, changes written, state log snapshots, one
/// transaction per batch), timed around the database calls only, so the decoding, the processing
/// and the in-memory state the worker also keeps are left out. It starts from empty tables.
package struct WriteCeiling {
    let applier: BatchApplier
    let projects: ProjectDirectory
    private let profile = StatementProfile()

    package init(groupID: String, schema: String = "pipeline", projects: ProjectDirectory = ProjectDirectory()) {
        applier = BatchApplier(
            offsets: OffsetStore(groupID: groupID, schema: schema), topics: EventTopics(), projects: projects,
            attributionRules: .default, lease: nil)
        self.projects = projects
    }

    /// Applies one polled batch and returns the time spent in PostgreSQL (statements and commit).
    package func apply(_ messages: [KafkaMessage], rates: FxRates = FxRates(), in connection: PostgresConnection) throws -> Duration {
        let profile = profile
        connection.statementObserver = { sql, elapsed in profile.add(sql, elapsed) }
        defer { connection.statementObserver = nil }
        var database = Duration.zero
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let started = ContinuousClock.now
            defer { database += started.duration(to: .now) }
            return try body()
        }
        let partitions = Set(messages.map(\.topicPartition)).sorted()
        _ = try timed { try connection.execute("BEGIN") }
        do {
            let stored = try timed {
                let stored = try applier.offsets.lockNextOffsets(for: partitions, in: connection)
                try applier.knownContacts.check(schema: applier.offsets.schema, in: connection)
                return stored
            }
            let prepared = applier.prepare(messages.map(DecodedMessage.init), rates: rates, stored: stored)
            try timed {
                try applier.write(prepared, in: connection, publish: { _ in })
                _ = try connection.execute("COMMIT")
            }
            applier.committed(prepared.outcome)
            try timed { try applier.store.snapshotIfDue(lease: nil, connection) }
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
        return database
    }
}

extension WriteCeiling {
    /// PostgreSQL time per kind of statement over every batch applied so far, largest first.
    package var statementTimes: [(statement: String, time: Duration)] { profile.sorted }
}

/// Time per statement kind, named by its verb and first table ("INSERT users", "SELECT user_daily").
private final class StatementProfile: @unchecked Sendable {
    // Safe: filled by the connection's observer on the one thread that applies the batches.
    private var times: [String: Duration] = [:]

    func add(_ sql: String, _ elapsed: Duration) { times[Self.name(of: sql), default: .zero] += elapsed }

    var sorted: [(statement: String, time: Duration)] {
        times.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
    }

    static func name(of sql: String) -> String {
        let words = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "(" || $0 == "," })
        guard let first = words.first?.uppercased() else { return "?" }
        // A WITH statement here is an INSERT fed by a query; its table is the one after INTO.
        let verb = first == "WITH" ? "INSERT" : first
        let markers: Set<String> = verb == "INSERT" ? ["INTO"] : ["FROM", "UPDATE", "JOIN"]
        // The table is schema-qualified; `extract(epoch FROM u.col)` has a dot too, but a parenthesis.
        let table = zip(words, words.dropFirst()).first { keyword, name in
            markers.contains(keyword.uppercased()) && name.contains(".") && !name.contains(")")
        }.map { $0.1.split(separator: ".").last.map(String.init) ?? "" }
        // No table (`SELECT pg_advisory_xact_lock(...)`): the function called names it.
        return "\(verb) \(table ?? words.dropFirst().first.map(String.init) ?? "")"
    }
}
