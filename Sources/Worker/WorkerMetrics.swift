import Foundation
import Kafka
import Metrics

/// What a worker reports through swift-metrics; the executable chooses the backend.
struct WorkerMetrics {
    static let messages = "pipeline_worker_messages_total"
    static let applied = "pipeline_worker_events_applied_total"
    static let duplicates = "pipeline_worker_duplicate_events_total"
    static let deadLetters = "pipeline_worker_dead_letters_total"
    /// Messages the broker no longer had when the worker came to read them, and the ranges they
    /// were in (`pipeline.lost_ranges`; alert KafkaMessagesLost).
    static let lostMessages = "pipeline_worker_lost_messages_total"
    static let lostRanges = "pipeline_worker_lost_ranges_total"
    static let batchDuration = "pipeline_worker_batch_duration_seconds"
    /// Unix time of the last batch applied: a flat line while messages wait means a stuck worker.
    static let lastBatch = "pipeline_worker_last_batch_timestamp_seconds"
    /// Messages in a partition not yet applied: high watermark − stored next offset (ConsumerLagSampler).
    static let consumerLag = "pipeline_worker_consumer_lag"
    /// Unix time the lag was last measured, so a sampler that stopped is not read as "no lag".
    static let lagSampled = "pipeline_worker_consumer_lag_sampled_timestamp_seconds"
    /// The lease epoch this worker holds, 0 while it stands by: exactly one worker of a group
    /// should show a non-zero value, and a rising maximum counts takeovers.
    static let leaseEpoch = "pipeline_worker_lease_epoch"
    /// Batches computed ahead whose transaction failed, so the state was read again from the
    /// tables and the batch applied alone: rare (a refused message) unless PostgreSQL keeps failing.
    static let reloads = "pipeline_worker_reloads_total"

    let factory: any MetricsFactory

    /// Creates every series a dashboard or alert reads, at zero, before the first batch: Prometheus
    /// renders a series only once it exists, and `increase()` misses a counter's first value.
    static func registerAtZero(topics: [String], factory: any MetricsFactory) {
        for topic in topics {
            Counter(label: messages, dimensions: [("topic", topic)], factory: factory).increment(by: 0)
            Counter(label: deadLetters, dimensions: [("topic", topic)], factory: factory).increment(by: 0)
            Counter(label: lostMessages, dimensions: [("topic", topic)], factory: factory).increment(by: 0)
            Counter(label: lostRanges, dimensions: [("topic", topic)], factory: factory).increment(by: 0)
        }
        Counter(label: applied, factory: factory).increment(by: 0)
        Counter(label: duplicates, factory: factory).increment(by: 0)
        _ = Timer(label: batchDuration, factory: factory)
        Gauge(label: lastBatch, factory: factory).record(0)
        Gauge(label: lagSampled, factory: factory).record(0)
        Gauge(label: leaseEpoch, factory: factory).record(0)
        Counter(label: reloads, factory: factory).increment(by: 0)
    }

    /// Records the epoch taken, or 0 on standing by.
    func recordReload() {
        Counter(label: Self.reloads, factory: factory).increment(by: 1)
    }

    func recordLease(epoch: Int64) {
        Gauge(label: Self.leaseEpoch, factory: factory).record(epoch)
    }

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
        Gauge(label: Self.lastBatch, factory: factory).record(Date().timeIntervalSince1970)
    }

    /// Counts ranges the broker no longer had, and their messages, per topic.
    func recordLost(_ ranges: [LostRange]) {
        for range in ranges {
            let topic = [("topic", range.partition.topic)]
            Counter(label: Self.lostMessages, dimensions: topic, factory: factory).increment(by: Int(range.messages))
            Counter(label: Self.lostRanges, dimensions: topic, factory: factory).increment(by: 1)
        }
    }

    /// Publishes one measurement of the lag of every partition.
    func recordLag(_ lag: [KafkaTopicPartition: Int64], at time: Date) {
        for (partition, messages) in lag {
            Gauge(label: Self.consumerLag, dimensions: [("topic", partition.topic), ("partition", String(partition.partition))],
                  factory: factory).record(messages)
        }
        Gauge(label: Self.lagSampled, factory: factory).record(time.timeIntervalSince1970)
    }
}

extension PipelineWorker {
    /// Creates the worker's series at zero for the consumed topics, before the first batch
    /// (see `WorkerMetrics.registerAtZero`); the executable calls it once it chose the backend.
    public static func registerMetricsAtZero(configuration: WorkerConfiguration) {
        WorkerMetrics.registerAtZero(
            topics: configuration.consumedTopics, factory: configuration.metricsFactory ?? MetricsSystem.factory)
    }
}
