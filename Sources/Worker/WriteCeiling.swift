import Aggregation
import Events
import Kafka
import Postgres

/// PostgreSQL's rate for the worker's own write pattern, for the benchmark: the same statements a
/// batch runs (offsets locked and stored, ids checked and recorded, state loaded and locked,
/// changes written, one transaction per batch), timed around the database calls only, so the
/// decoding and processing the worker also does are left out.
package struct WriteCeiling {
    let applier: BatchApplier
    let projects: ProjectDirectory

    package init(groupID: String, schema: String = "pipeline", projects: ProjectDirectory = ProjectDirectory()) {
        applier = BatchApplier(
            offsets: OffsetStore(groupID: groupID, schema: schema), topics: EventTopics(), projects: projects,
            attributionRules: .default)
        self.projects = projects
    }

    /// Applies one polled batch and returns the time spent in PostgreSQL (statements and commit).
    package func apply(_ messages: [KafkaMessage], rates: FxRates = FxRates(), in connection: PostgresConnection) throws -> Duration {
        var database = Duration.zero
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let started = ContinuousClock.now
            defer { database += started.duration(to: .now) }
            return try body()
        }
        var events: [(event: Event, message: KafkaMessage)] = []
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            events.append((try Event.decode(json: message.value), message))
            nextOffsets[message.topicPartition] = max(nextOffsets[message.topicPartition] ?? 0, message.offset + 1)
        }
        _ = try timed { try connection.execute("BEGIN") }
        do {
            _ = try timed { try applier.offsets.lockNextOffsets(for: nextOffsets.keys.sorted(), in: connection) }
            let fresh = try timed { try applier.firstDeliveries(of: events, in: connection) }
            let batch = fresh.map(\.event)
            let state = try timed { try applier.loader.load(BatchRequirements(batch), in: connection) }
            let changes = BatchProcessor(projects: projects, rates: rates).process(batch, state: state)
            let ids = batch.indices.filter { changes.rejected[$0] == nil }.map { batch[$0].id }
            try timed {
                try applier.recordApplied(ids, in: connection)
                try applier.writer.write(changes, loaded: state, in: connection)
                try applier.offsets.store(nextOffsets, in: connection)
                _ = try connection.execute("COMMIT")
            }
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
        return database
    }
}
