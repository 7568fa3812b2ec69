import Metrics

/// What a worker reports through swift-metrics; the executable chooses the backend.
struct WorkerMetrics {
    static let messages = "pipeline_worker_messages_total"
    static let applied = "pipeline_worker_events_applied_total"
    static let duplicates = "pipeline_worker_duplicate_events_total"
    static let deadLetters = "pipeline_worker_dead_letters_total"
    static let batchDuration = "pipeline_worker_batch_duration_seconds"

    let factory: any MetricsFactory

    /// Counts one applied batch: its messages per topic, applied events, duplicates, dead letters per topic.
    func record(_ outcome: BatchApplier.Outcome, messagesPerTopic: [String: Int], duration: Duration) {
        for (topic, count) in messagesPerTopic {
            Counter(label: Self.messages, dimensions: [("topic", topic)], factory: factory).increment(by: count)
        }
        Counter(label: Self.applied, factory: factory).increment(by: outcome.applied)
        Counter(label: Self.duplicates, factory: factory).increment(by: outcome.duplicates)
        var deadLettersPerTopic: [String: Int] = [:]
        for letter in outcome.deadLetters { deadLettersPerTopic[letter.message.topic, default: 0] += 1 }
        for (topic, count) in deadLettersPerTopic {
            Counter(label: Self.deadLetters, dimensions: [("topic", topic)], factory: factory).increment(by: count)
        }
        Timer(label: Self.batchDuration, factory: factory).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
