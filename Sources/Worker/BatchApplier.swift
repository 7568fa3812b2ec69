import Aggregation
import Dispatch
import Events
import Foundation
import Kafka
import Logging
import Postgres

/// Applies one polled batch in one transaction: offsets, applied ids and aggregates together.
///
/// The entity state and the applied ids come from the owner's memory (`EntityStore`,
/// `AppliedEvents`), which `committed` brings up to date: after the transaction committed (`apply`),
/// or, for a batch computed ahead (`prepare`, then `write` on another thread), before it commits,
/// the memory being read again from the tables if it fails.
struct BatchApplier {
    let offsets: OffsetStore
    let topics: EventTopics
    let projects: ProjectDirectory
    let attributionRules: AttributionRules
    let store: EntityStore
    let applied: AppliedEvents
    /// The lease this worker applies under, checked in every batch; nil only where nobody else can
    /// apply (the write-ceiling measure's private schema).
    let lease: WorkerLease?
    let writer: ChangeWriter
    /// Chat and mail ids with rows, so that a batch inserts only the others; `record` them after each commit.
    let knownContacts: KnownContacts

    init(offsets: OffsetStore, topics: EventTopics, projects: ProjectDirectory, attributionRules: AttributionRules,
         lease: WorkerLease?, knownContactsLimit: Int = 300_000, stateSnapshotInterval: Int = 200_000) {
        self.offsets = offsets
        self.topics = topics
        self.projects = projects
        self.attributionRules = attributionRules
        self.lease = lease
        store = EntityStore(schema: offsets.schema, stateSnapshotInterval: stateSnapshotInterval)
        applied = AppliedEvents(schema: offsets.schema)
        writer = ChangeWriter(schema: offsets.schema)
        knownContacts = KnownContacts(limit: knownContactsLimit)
    }

    /// Reads the stored entity state and applied ids into memory (after taking the lease).
    ///
    /// Two connections read it side by side, one snapshot for both (exported by `connection`'s
    /// transaction, imported by a second connection to `databaseURL`): the entity tables on the
    /// second, the state log and the applied ids on this one. In series the four took 3.9 s at a
    /// million users, the worker and PostgreSQL each mostly waiting for the other.
    func loadState(_ connection: PostgresConnection, databaseURL: String) throws {
        // One snapshot of every table, read through cursors a slice at a time (`forEachRow`).
        try connection.transaction {
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let snapshot = try connection.execute("SELECT pg_export_snapshot()").rows[0].decode(0, as: String.self)
            // SET TRANSACTION SNAPSHOT takes no parameters: the id is PostgreSQL's own, checked anyway.
            guard !snapshot.isEmpty, snapshot.allSatisfy({ $0 == "-" || ($0.isASCII && $0.isHexDigit) }) else {
                throw StoredValueError(description: "pg_export_snapshot() returned \"\(snapshot)\"")
            }
            let store = self.store
            let entities = BackgroundWork<Void, any Error> {
                let helper = try PostgresConnection(
                    connectionString: databaseURL, logger: Logger(label: "pipeline.worker.state-load"))
                defer { helper.close() }
                try helper.transaction {
                    try helper.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    try helper.execute("SET TRANSACTION SNAPSHOT '\(snapshot)'")
                    try store.loadEntities(helper)
                }
            }
            do {
                try store.loadStateLog(connection)
                try applied.load(connection)
            } catch {
                // The exported snapshot lives as long as this transaction: the helper ends first.
                _ = try? entities.wait()
                throw error
            }
            try entities.wait()
        }
    }

    /// Takes a batch's changes into memory (once committed, or once computed ahead: see above).
    func committed(_ outcome: Outcome) {
        if let changes = outcome.changes { store.apply(changes) }
        applied.insert(outcome.appliedIDs)
        knownContacts.record(fingerprints: outcome.contactFingerprints, chatActive: outcome.chatActiveFingerprints)
    }

    /// SQL for this applier's schema.
    private var schema: String { offsets.schema }

    /// What one batch did.
    struct Outcome {
        var messages = 0
        var alreadyApplied = 0
        var duplicates = 0
        var applied = 0
        var deadLetters: [DeadLetter] = []
        /// Chat and mail ids that have contact rows once the batch's transaction commits, and those
        /// chat-active then, as `KnownContacts` fingerprints (each computed once per batch).
        var contactFingerprints: [EventIDHash] = []
        var chatActiveFingerprints: [EventIDHash] = []
        /// Ranges the broker no longer had, recorded by this batch (`pipeline.lost_ranges`).
        var lostRanges: [LostRange] = []
        /// What the batch wrote, and the ids it recorded as applied: for `committed`.
        var changes: BatchChanges?
        var appliedIDs: [EventIDHash] = []

        /// Adds the counts, dead letters and lost ranges of a batch applied after this one.
        mutating func add(_ other: Outcome) {
            messages += other.messages
            alreadyApplied += other.alreadyApplied
            duplicates += other.duplicates
            applied += other.applied
            deadLetters += other.deadLetters
            lostRanges += other.lostRanges
        }
    }

    /// Applies `messages` inside the caller's transaction; `publish` gets the dead letters
    /// before the transaction commits, so a dead letter is never lost behind a stored offset.
    func apply(
        _ batch: [DecodedMessage], rates: FxRates, acceptedGaps: Set<OffsetGap.Position> = [],
        in connection: PostgresConnection,
        publish: ([DeadLetter]) throws -> Void
    ) throws -> Outcome {
        let partitions = Set(batch.map { KafkaTopicPartition(topic: $0.message.topic, partition: $0.message.partition) })
        let stored = try offsets.lockNextOffsets(for: partitions.sorted(), in: connection)
        let lostRanges = try checkForGaps(batch.map(\.message), stored: stored, acceptedGaps: acceptedGaps)
        try offsets.record(lostRanges, in: connection)
        try lease?.check(in: connection)
        try knownContacts.check(schema: schema, in: connection)
        var prepared = prepare(batch, rates: rates, stored: stored)
        prepared.outcome.lostRanges = lostRanges
        try write(prepared, in: connection, publish: publish)
        return prepared.outcome
    }

    /// A batch computed from the memory and the offsets it was given, ready to write.
    struct Prepared {
        var outcome: Outcome
        /// The stored state the batch was computed from (`ChangeWriter` inserts the users not in it).
        var state: BatchState
        /// The chat and mail ids to insert, and those to mark chat-active: not known to have rows.
        var newContacts: [UserKey]
        var newlyChatActive: [UserKey]
        /// Where each partition of the batch stands once it commits.
        var nextOffsets: [KafkaTopicPartition: Int64]
        /// The stored offset of each partition of the batch that it was computed against.
        var assumedOffsets: [KafkaTopicPartition: Int64]
    }

    /// Computes a batch against the stored offsets `stored` (messages below them were applied
    /// before): pure work on the owner's memory, no query.
    func prepare(_ batch: [DecodedMessage], rates: FxRates, stored: [KafkaTopicPartition: Int64]) -> Prepared {
        var outcome = Outcome(messages: batch.count)
        // Messages below the stored offset were applied by an earlier owner of the partition (or by
        // this worker, if the partition came back to it after this batch was polled).
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        var assumedOffsets: [KafkaTopicPartition: Int64] = [:]
        // Positions in `batch` of the events to apply, with their id hashes: the events and their
        // messages stay where they are (copying them into tuples, twice, retained and released every
        // string of every event: a twentieth of the worker's CPU).
        var candidates: [(position: Int, hash: EventIDHash)] = []
        candidates.reserveCapacity(batch.count)
        for run in Self.partitionRuns(of: batch) {
            let storedOffset = stored[run.partition, default: 0]
            assumedOffsets[run.partition] = storedOffset
            var next: Int64?
            for position in run.indices {
                let offset = batch[position].message.offset
                if offset < storedOffset {
                    outcome.alreadyApplied += 1
                    continue
                }
                next = max(next ?? 0, offset + 1)
                guard let (hash, type) = batch[position].decoded else {
                    if case .failure(let error) = batch[position].event {
                        outcome.deadLetters.append(DeadLetter(message: batch[position].message, reason: "\(error)"))
                    }
                    continue
                }
                let topic = batch[position].message.topic
                guard topics.topic(for: type) == topic else {
                    outcome.deadLetters.append(DeadLetter(
                        message: batch[position].message,
                        reason: "type: \(type.rawValue) events do not belong on topic \(topic)"))
                    continue
                }
                candidates.append((position, hash))
            }
            if let next { nextOffsets[run.partition] = max(nextOffsets[run.partition] ?? 0, next) }
        }

        let fresh = firstDeliveries(of: candidates)
        outcome.duplicates = candidates.count - fresh.count
        let freshEvents = fresh.map { position, _ in
            guard case .success(let event) = batch[position].event else { preconditionFailure("a candidate decoded") }
            return event
        }
        let state = store.batchState(for: BatchRequirements(freshEvents))
        let changes = BatchProcessor(projects: projects, attributionRules: attributionRules, rates: rates)
            .process(freshEvents, state: state)
        for (index, reason) in changes.rejected.sorted(by: { $0.key < $1.key }) {
            outcome.deadLetters.append(DeadLetter(message: batch[fresh[index].position].message, reason: reason))
        }
        // Refused events are not applied: a redrive must be able to apply them later.
        outcome.appliedIDs = fresh.indices.filter { changes.rejected[$0] == nil }.map { fresh[$0].hash }
        outcome.applied = outcome.appliedIDs.count
        let contacts = knownContacts.unknown(changes.contacts)
        let active = knownContacts.notKnownActive(changes.chatActiveContacts)
        outcome.contactFingerprints = contacts.fingerprints
        outcome.chatActiveFingerprints = active.fingerprints
        outcome.changes = changes
        return Prepared(
            outcome: outcome, state: state, newContacts: contacts.unknown, newlyChatActive: active.unknown,
            nextOffsets: nextOffsets, assumedOffsets: assumedOffsets)
    }

    /// Writes a prepared batch inside the caller's transaction (after its offsets were locked and
    /// checked): the changes, the applied ids, the dead letters (published before the commit) and
    /// the offsets. Touches no memory but the prepared batch, so it may run on another thread.
    func write(_ prepared: Prepared, in connection: PostgresConnection, publish: ([DeadLetter]) throws -> Void) throws {
        if let changes = prepared.outcome.changes {
            try writer.write(changes, loaded: prepared.state, newContacts: prepared.newContacts,
                             newlyChatActive: prepared.newlyChatActive, in: connection)
        }
        try applied.store(prepared.outcome.appliedIDs, in: connection)
        try publish(prepared.outcome.deadLetters)
        try offsets.store(prepared.nextOffsets, in: connection)
    }

    /// The partition runs of a decoded batch, read in place (a lazy map over the messages copied
    /// every decoded message, its event included).
    static func partitionRuns(of batch: [DecodedMessage]) -> [PartitionRun] {
        PartitionRun.runs(count: batch.count) { (batch[$0].message.topic, batch[$0].message.partition, batch[$0].message.offset) }
    }

    /// Decodes the messages on all cores: decoding is pure and was the largest share of the
    /// worker's own CPU time, while the rest of a batch is one transaction on one connection.
    static func decodeAll(_ messages: [KafkaMessage]) -> [DecodedMessage] {
        let chunks = messages.count < 512 ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 8)
        guard chunks > 1 else { return messages.map(DecodedMessage.init) }
        let size = (messages.count + chunks - 1) / chunks
        // Decoded straight into the array's own buffer: slots of optionals moved into a second
        // array took two large blocks (fresh pages each) and two passes per batch.
        return Array(unsafeUninitializedCapacity: messages.count) { buffer, initializedCount in
            let slots = UninitializedSlots(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for index in chunk * size..<min(messages.count, (chunk + 1) * size) {
                    slots.initialize(index, to: DecodedMessage(messages[index]))
                }
            }
            initializedCount = messages.count
        }
    }

    /// Dead-letters one message and moves its partition's offset past it, inside the caller's
    /// transaction (unless an earlier owner of the partition already got past it).
    func deadLetterAlone(
        _ message: KafkaMessage, reason: String, in connection: PostgresConnection, publish: ([DeadLetter]) throws -> Void
    ) throws -> Outcome {
        let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
        let stored = try offsets.lockNextOffsets(for: [partition], in: connection)
        guard message.offset >= stored[partition, default: 0] else { return Outcome(messages: 1, alreadyApplied: 1) }
        let letter = DeadLetter(message: message, reason: reason)
        try publish([letter])
        try offsets.store([partition: message.offset + 1], in: connection)
        return Outcome(messages: 1, deadLetters: [letter])
    }

    /// Messages that start after the stored offset mean this consumer's position is ahead of
    /// the tables (a rebuild was swapped in, or a member kept a stale position): the batch is
    /// rolled back and every partition of it re-read from where the tables stand. A gap already
    /// re-read once is data the topic no longer holds (its log start moved past the stored
    /// offset: retention, or the embedded broker's size cap): it is returned as lost, to be
    /// recorded with the batch.
    private func checkForGaps(
        _ messages: [KafkaMessage], stored: [KafkaTopicPartition: Int64], acceptedGaps: Set<OffsetGap.Position>
    ) throws -> [LostRange] {
        let first = Self.firstOffsets(of: messages)
        var lost: [LostRange] = []
        var gaps: [KafkaTopicPartition: Int64] = [:]
        for (partition, offset) in first {
            let next = stored[partition, default: 0]
            guard offset > next else { continue }
            if acceptedGaps.contains(OffsetGap.Position(partition: partition, offset: next)) {
                lost.append(LostRange(partition: partition, from: next, to: offset))
            } else {
                gaps[partition] = next
            }
        }
        guard gaps.isEmpty else { throw OffsetGap(seekTo: first.merging(gaps) { $1 }) }
        return lost.sorted { $0.partition < $1.partition }
    }

    /// The lowest offset of each partition among `messages`.
    static func firstOffsets(of messages: [KafkaMessage]) -> [KafkaTopicPartition: Int64] {
        firstOffsets(of: PartitionRun.runs(of: messages))
    }

    /// The lowest offset of each partition among `runs`.
    static func firstOffsets(of runs: [PartitionRun]) -> [KafkaTopicPartition: Int64] {
        var first: [KafkaTopicPartition: Int64] = [:]
        for run in runs {
            first[run.partition] = min(first[run.partition] ?? run.lowestOffset, run.lowestOffset)
        }
        return first
    }

    /// The events whose id was never applied, each once (the first delivered), in delivery order,
    /// with their id hashes.
    func firstDeliveries(of events: [(position: Int, hash: EventIDHash)]) -> [(position: Int, hash: EventIDHash)] {
        var taken = Set<EventIDHash>(minimumCapacity: events.count)
        var result: [(position: Int, hash: EventIDHash)] = []
        result.reserveCapacity(events.count)
        for event in events {
            guard !applied.contains(event.hash), taken.insert(event.hash).inserted else { continue }
            result.append(event)
        }
        return result
    }
}

/// A polled message and its event, or why its value is not one.
struct DecodedMessage {
    let message: KafkaMessage
    let event: Result<Event, EventDecodingError>
    /// The event id's hash and the event's type, taken with the decoding (on the decoders'
    /// threads); nil when the message did not decode. Reading them from `event` in `prepare`
    /// copied every event there (retaining each of its strings) a second time.
    let decoded: (idHash: EventIDHash, type: EventType)?

    init(message: KafkaMessage, event: Result<Event, EventDecodingError>) {
        self.message = message
        self.event = event
        if case .success(let event) = event {
            decoded = (EventIDHash(id: event.id), event.type)
        } else {
            decoded = nil
        }
    }

    init(_ message: KafkaMessage) {
        self.init(message: message, event: Result { () throws(EventDecodingError) in try Event.decode(json: message.value) })
    }
}

/// A batch that starts after the stored offsets of some partition: re-read from `seekTo`.
struct OffsetGap: Error {
    /// A partition and the stored offset its gap starts at.
    struct Position: Hashable {
        var partition: KafkaTopicPartition
        var offset: Int64
    }

    var seekTo: [KafkaTopicPartition: Int64]
}

/// The uninitialized elements of an array under construction, which parallel decoders
/// initialize, each index by exactly one of them.
private struct UninitializedSlots: @unchecked Sendable {
    // Safe: every index is initialized by one iteration of `concurrentPerform`, and the array
    // counts its elements initialized only after that returned. Decoding cannot throw (a failure
    // is a `Result`), so no slot is left uninitialized.
    let base: UnsafeMutablePointer<DecodedMessage>

    func initialize(_ index: Int, to value: DecodedMessage) { (base + index).initialize(to: value) }
}
