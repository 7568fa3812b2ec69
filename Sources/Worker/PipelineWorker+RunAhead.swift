import Aggregation
import Dispatch
import Kafka
import Postgres

/// Computing the next batch while the current one's transaction runs: the worker's own work per
/// batch (decoding aside) no longer waits for PostgreSQL, nor PostgreSQL for it.
///
/// The next batch is computed against the memory with the running batch's changes already in it,
/// and against the offsets that batch will store. Its transaction checks those offsets under
/// their lock; if the running batch failed, the memory is read again from the tables and the
/// failed batch applied alone (`settle` in `own`), so nothing computed from its changes commits.
extension PipelineWorker {
    /// What waiting for a running batch found.
    enum Settled {
        /// It committed (or nothing was running).
        case clean
        /// It failed; the memory was reloaded and the batch applied alone.
        case reloaded
        /// As `reloaded`, and applying it alone moved the consumer back to re-read a gap.
        case seeked
    }

    /// Whether a computed batch may commit without the careful path: no partition starts after
    /// the offset it was computed against (a gap to re-read or record), and no event waits for a
    /// rate that may have been imported since the rates were read.
    static func canRunAhead(
        _ batch: [DecodedMessage], prepared: BatchApplier.Prepared, expected: [KafkaTopicPartition: Int64]
    ) -> Bool {
        let first = BatchApplier.firstOffsets(of: BatchApplier.partitionRuns(of: batch))
        guard first.allSatisfy({ $0.value <= expected[$0.key, default: 0] }) else { return false }
        return !prepared.outcome.deadLetters.contains { $0.reason.hasPrefix(BatchProcessor.missingRatePrefix) }
    }

    /// Whether every partition with messages is applied up to its high watermark once the
    /// batches computed so far commit.
    static func covers(_ expected: [KafkaTopicPartition: Int64], _ highWatermarks: [KafkaTopicPartition: Int64]) -> Bool {
        highWatermarks.allSatisfy { partition, high in high == 0 || expected[partition, default: 0] >= high }
    }

    /// The transaction of a batch computed ahead, on the committer's thread: the offsets it was
    /// computed against must still be the stored ones, and the lease this worker's.
    func commitAhead(
        _ prepared: BatchApplier.Prepared, applier: BatchApplier, connection: PostgresConnection,
        publish: ([DeadLetter]) throws -> Void
    ) throws -> BatchApplier.Outcome {
        try connection.transaction {
            let partitions = prepared.assumedOffsets.keys.sorted()
            let stored = try applier.offsets.lockNextOffsets(for: partitions, in: connection)
            for partition in partitions where stored[partition, default: 0] != prepared.assumedOffsets[partition] {
                throw ComputedAheadOfStale(partition: partition)
            }
            try applier.lease?.check(in: connection)
            try applier.knownContacts.verify(schema: configuration.stateSchema, in: connection)
            try applier.write(prepared, in: connection, publish: publish)
        }
        return prepared.outcome
    }
}

/// A batch computed ahead whose partition's stored offset is not the one it was computed against.
struct ComputedAheadOfStale: Error, CustomStringConvertible {
    let partition: KafkaTopicPartition
    var description: String { "\(partition): the stored offset moved since the batch was computed" }
}

/// A batch's transaction running on the committer's queue.
final class RunningCommit: @unchecked Sendable {
    // Safe: `result` is written once on the committer's queue before `done` is signalled, and read
    // only after `wait` took that signal; `body` runs once, there. The owner's thread touches none
    // of what `body` uses (the connection, the producer) until `wait` returned.
    private(set) var batch: [DecodedMessage]
    let started: ContinuousClock.Instant
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<BatchApplier.Outcome, any Error>?
    private var body: (() throws -> BatchApplier.Outcome)?

    init(batch: [DecodedMessage], started: ContinuousClock.Instant, on queue: DispatchQueue,
         _ body: @escaping () throws -> BatchApplier.Outcome) {
        self.batch = batch
        self.started = started
        self.body = body
        queue.async {
            self.result = Result { try self.body!() }
            self.body = nil
            self.done.signal()
        }
    }

    /// The transaction's outcome, once it ended; call once.
    func wait() -> Result<BatchApplier.Outcome, any Error> {
        done.wait()
        return result!
    }

    /// Once recorded, the batch is freed on another thread: dropping 20,000 decoded messages (every
    /// string of every event) took milliseconds of the owner's thread (3 % of the worker's samples)
    /// right before it started the next transaction, while PostgreSQL waited for it.
    func releaseBatch() {
        BackgroundRelease.release(&batch, replacingWith: [])
    }
}

/// Frees a large value on another thread.
final class BackgroundRelease<Value>: @unchecked Sendable {
    // Safe: `value` is set at init and then touched only by the one block that drops it.
    private var value: Value?

    private init(_ value: Value) {
        self.value = value
    }

    /// Moves `value` to a block on a global queue, which drops it, and leaves `empty` in its place:
    /// if nothing else holds the value, it is freed there.
    static func release(_ value: inout Value, replacingWith empty: Value) {
        let holder = BackgroundRelease(value)
        value = empty
        DispatchQueue.global().async { holder.value = nil }
    }
}
