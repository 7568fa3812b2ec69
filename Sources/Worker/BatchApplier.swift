import Aggregation
import Events
import Kafka
import Postgres

/// Applies one polled batch in one transaction: offsets, event ids and aggregates together.
struct BatchApplier {
    let offsets: OffsetStore
    let topics: EventTopics
    let projects: ProjectDirectory

    /// What one batch did.
    struct Outcome {
        var messages = 0
        var alreadyApplied = 0
        var duplicates = 0
        var applied = 0
        var deadLetters: [DeadLetter] = []
    }

    /// Applies `messages` inside the caller's transaction; `publish` gets the dead letters
    /// before the transaction commits, so a dead letter is never lost behind a stored offset.
    func apply(
        _ messages: [KafkaMessage], in connection: PostgresConnection,
        publish: ([DeadLetter]) throws -> Void
    ) throws -> Outcome {
        var outcome = Outcome(messages: messages.count)
        let partitions = Set(messages.map { KafkaTopicPartition(topic: $0.topic, partition: $0.partition) })
        let stored = try offsets.lockNextOffsets(for: partitions.sorted(), in: connection)

        // Messages below the stored offset were applied by an earlier owner of the partition.
        var fresh: [KafkaMessage] = []
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
            if message.offset < stored[partition, default: 0] {
                outcome.alreadyApplied += 1
                continue
            }
            fresh.append(message)
            nextOffsets[partition] = max(nextOffsets[partition] ?? 0, message.offset + 1)
        }

        var events: [Event] = []
        for message in fresh {
            do {
                let event = try Event.decode(json: message.value)
                guard topics.topic(for: event.type) == message.topic else {
                    outcome.deadLetters.append(DeadLetter(
                        message: message,
                        reason: "type: \(event.type.rawValue) events do not belong on topic \(message.topic)"))
                    continue
                }
                events.append(event)
            } catch {
                outcome.deadLetters.append(DeadLetter(message: message, reason: "\(error)"))
            }
        }

        let newEvents = try firstDeliveries(of: events, in: connection)
        outcome.duplicates = events.count - newEvents.count
        outcome.applied = newEvents.count
        try AggregateWriter.apply(RegistrationDayCounts(newEvents, projects: projects), in: connection)

        try publish(outcome.deadLetters)
        try offsets.store(nextOffsets, in: connection)
        return outcome
    }

    /// The events whose id was never applied before, each once, in delivery order.
    private func firstDeliveries(of events: [Event], in connection: PostgresConnection) throws -> [Event] {
        guard !events.isEmpty else { return [] }
        let inserted = try connection.execute(
            """
            INSERT INTO pipeline.applied_events (id)
            SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS e(id, n) ORDER BY n
            ON CONFLICT DO NOTHING RETURNING id
            """,
            [events.map(\.id)]
        ).rows
        var newIDs = Set(try inserted.map { try $0.decode(0, as: String.self) })
        return events.filter { newIDs.remove($0.id) != nil }
    }
}
