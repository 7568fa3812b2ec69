import Aggregation
import Events
import Foundation
import Kafka
import PipelineTestSupport
import Postgres
import Testing
@testable import Worker

@Suite("the worker lease: one owner applies, a stale owner is fenced out, a standby takes over")
struct WorkerLeaseTests {
    /// Server processes holding the harness group's lease lock (schema `pipeline`) in its database.
    static func leaseHolders(_ harness: WorkerHarness) throws -> [String] {
        try harness.query("""
            SELECT pid::text FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = hashtext('pipeline')::oid AND objid = hashtext($1)::oid
            """, [harness.groupID]).map { $0[0]! }
    }

    @Test("an owner whose lock session was reset, after a standby took the lease, commits nothing more")
    func staleOwnerFencedOut() throws {
        let harness = try WorkerHarness(partitions: 1)
        let admin = try harness.connection()
        defer { admin.close() }
        let first = try WorkerLease(connectionString: harness.databaseURL, schema: "pipeline", groupID: harness.groupID,
                                    logger: harness.logger)
        defer { first.release() }
        #expect(try first.acquire(shouldStop: { false }))
        #expect(first.epoch == 1)

        // The first owner applies one batch under its lease.
        let applier = BatchApplier(
            offsets: OffsetStore(groupID: harness.groupID, schema: "pipeline"), topics: harness.topics,
            projects: ProjectDirectory(), attributionRules: .default, lease: first)
        let connection = try harness.connection()
        defer { connection.close() }
        try applier.loadState(connection, databaseURL: harness.databaseURL)
        let batch = StockSettingsTests.messages(
            (0..<3).map { registrationJSON(id: "f\($0)", user: "u\($0)", at: "2026-04-01T12:00:00Z") }, topics: harness.topics)
        let applied = try connection.transaction {
            try applier.apply(Array(batch[..<2]), rates: FxRates(), in: connection, publish: { _ in })
        }
        applier.committed(applied)
        #expect(applied.applied == 2)

        // Its lock session goes away (a network cut, a server-side timeout) while it still runs; a
        // standby takes the lock and the lease with the next epoch.
        let pids = try Self.leaseHolders(harness)
        #expect(pids.count == 1)
        for pid in pids { _ = try admin.execute("SELECT pg_terminate_backend($1::int)", [pid]) }
        let second = try WorkerLease(connectionString: harness.databaseURL, schema: "pipeline", groupID: harness.groupID,
                                     logger: harness.logger)
        defer { second.release() }
        #expect(try second.acquire(shouldStop: { false }))
        #expect(second.epoch == 2)

        // The stale owner's next batch is refused inside its transaction: nothing of it is stored.
        #expect(throws: LeaseLost.self) {
            try connection.transaction {
                try applier.apply(Array(batch[2...]), rates: FxRates(), in: connection, publish: { _ in })
            }
        }
        #expect(!(try first.stillHeld()))
        #expect(try harness.query("SELECT sum(events)::text FROM pipeline.applied_batches") == [["2"]])
        #expect(try harness.query("SELECT next_offset::text FROM pipeline.consumer_offsets WHERE group_id = $1",
                                  [harness.groupID]) == [["2"]])
        #expect(try harness.registrationsDaily() == ["school-a 2026-04-01": 2])
        #expect(try harness.query("SELECT epoch::text FROM pipeline.worker_lease WHERE group_id = $1", [harness.groupID])
            == [["2"]])
    }

    @Test("a standby taking over waits for the owner's open batch, then that owner's next batch is refused")
    func takeoverWaitsForTheOpenBatch() throws {
        let harness = try WorkerHarness(partitions: 1)
        let owner = try WorkerLease(connectionString: harness.databaseURL, schema: "pipeline", groupID: harness.groupID,
                                    logger: harness.logger)
        #expect(try owner.acquire(shouldStop: { false }))
        let batch = try harness.connection()
        defer { batch.close() }
        try batch.execute("BEGIN")
        try owner.check(in: batch)

        // The owner's lock goes (released here, as when its session dies); a standby takes it, but
        // raising the epoch waits for the batch that holds the lease row.
        let pids = try Self.leaseHolders(harness)
        #expect(pids.count == 1)
        for pid in pids { _ = try harness.result("SELECT pg_terminate_backend($1::int)", [pid]) }
        let taken = LockedFlag()
        let standby = Thread {
            guard let lease = try? WorkerLease(connectionString: harness.databaseURL, schema: "pipeline",
                                               groupID: harness.groupID, logger: harness.logger) else { return }
            if (try? lease.acquire(shouldStop: { false })) == true { taken.set() }
            Thread.sleep(forTimeInterval: 2)
            lease.release()
        }
        standby.start()
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!taken.isSet, "the standby raised the epoch under an open batch")
        try batch.execute("COMMIT")
        let deadline = Date().addingTimeInterval(30)
        while !taken.isSet && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(taken.isSet)

        try batch.execute("BEGIN")
        #expect(throws: LeaseLost.self) { try owner.check(in: batch) }
        try batch.execute("ROLLBACK")
        while !standby.isFinished { Thread.sleep(forTimeInterval: 0.02) }
    }

    @Test("a second worker stands by while the first owns the partitions, and finishes the work once the first stops")
    func standbyTakesOver() throws {
        let harness = try WorkerHarness(partitions: 2)
        try harness.produce((0..<200).map {
            registrationJSON(id: "s\($0)", user: "u\($0)", at: "2026-04-0\(1 + $0 % 2)T12:00:00Z")
        })
        var configuration = harness.workerConfiguration(untilCaughtUp: false, batch: 20)
        configuration.maxBatchWait = .milliseconds(20)
        let stopFirst = LockedFlag(), stopSecond = LockedFlag()
        let firstBatches = LockedCounter(), secondBatches = LockedCounter()
        let errors = ErrorLog()
        let started = LockedFlag()
        let firstConfiguration = configuration
        let first = Thread {
            do {
                _ = try PipelineWorker(configuration: firstConfiguration, logger: harness.logger).run(
                    shouldStop: { stopFirst.isSet }, afterBatch: { _ in started.set(); _ = firstBatches.increment() })
            } catch { errors.record("first: \(error)") }
        }
        first.start()
        let deadline = Date().addingTimeInterval(120)
        func appliedIDs() throws -> Int {
            Int(try harness.query("SELECT coalesce(sum(events), 0)::text FROM pipeline.applied_batches")[0][0]!)!
        }
        while try appliedIDs() < 200 && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(started.isSet)
        let secondSummary = LockedCounter()
        let second = Thread {
            do {
                let summary = try PipelineWorker(configuration: firstConfiguration, logger: harness.logger).run(
                    shouldStop: { stopSecond.isSet }, afterBatch: { _ in _ = secondBatches.increment() })
                for _ in 0..<summary.applied { _ = secondSummary.increment() }
            } catch { errors.record("second: \(error)") }
        }
        second.start()
        // Both run; only the owner applies. Then the owner stops, and the standby goes on.
        Thread.sleep(forTimeInterval: 1)
        #expect(secondBatches.increment() == 1, "the standby applied batches while the owner held the lease")
        stopFirst.set()
        while !first.isFinished { Thread.sleep(forTimeInterval: 0.02) }
        try harness.produce((200..<260).map {
            registrationJSON(id: "s\($0)", user: "v\($0)", at: "2026-04-03T12:00:00Z")
        })
        while try appliedIDs() < 260 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        stopSecond.set()
        while !second.isFinished { Thread.sleep(forTimeInterval: 0.02) }
        #expect(errors.entries.isEmpty, "\(errors.entries)")
        #expect(secondSummary.increment() == 61, "the standby applied the 60 events produced after the owner stopped")
        #expect(try harness.registrationsDaily() == [
            "school-a 2026-04-01": 100, "school-a 2026-04-02": 100, "school-a 2026-04-03": 60,
        ])
        #expect(try harness.query("SELECT epoch::text FROM pipeline.worker_lease WHERE group_id = $1", [harness.groupID])
            == [["2"]])
    }
}
