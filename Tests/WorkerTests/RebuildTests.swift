import Verification
import Events
import Foundation
import PipelineTestSupport
import Migrations
import Testing
import Worker

@Suite("rebuild: every aggregate recomputed from the topics and swapped in")
struct RebuildTests {
    @Test("damaged aggregates are rebuilt exactly, BI reads throughout, and live workers carry on after the swap")
    func rebuildAndSwap() throws {
        var generator = RandomEvents(seed: 5)
        let data = generator.dataSet(count: 300)
        let harness = try WorkerHarness(partitions: 2)
        try harness.importRates(data.rates)
        let half = data.deliveries.count / 2
        try harness.produce(Array(data.deliveries[..<half]))
        var live = harness.workerConfiguration(untilCaughtUp: true, batch: 40)
        live.projects = data.projects
        _ = try PipelineWorker(configuration: live, logger: harness.logger).run()

        // Damage the live figures, as a bug or a manual edit would.
        // Tables of sums and their logs (migration 0014) both: what the last fold left in each.
        _ = try harness.result("UPDATE pipeline.funnel_daily SET visits = visits + 100, revenue = revenue + 1")
        _ = try harness.result("UPDATE pipeline.funnel_log SET visits = ARRAY(SELECT v + 100 FROM unnest(visits) v)")
        _ = try harness.result("DELETE FROM pipeline.user_monthly")
        _ = try harness.result("DELETE FROM pipeline.user_monthly_log")

        try harness.produce(Array(data.deliveries[half...]))

        // A BI client keeps querying while the rebuild runs and swaps.
        let reads = LockedCounter()
        let failures = LockedCounter()
        let stop = LockedFlag()
        let reader = Thread {
            while !stop.isSet {
                do { _ = try harness.result("SELECT count(*), sum(revenue) FROM bi.traffic_report") } catch { _ = failures.increment() }
                _ = reads.increment()
            }
        }
        reader.start()
        let migrator = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: harness.logger)
        var progress: [(Int, Int)] = []
        let summary = try Rebuild(live: live, migrator: migrator, logger: harness.logger).run { progress.append(($0, $1)) }
        stop.set()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }

        #expect(failures.increment() == 1, "BI queries failed during the rebuild")
        #expect(reads.increment() > 2)
        #expect(summary.messages == data.deliveries.count)
        #expect(progress.last?.0 == data.deliveries.count && progress.last?.1 == data.deliveries.count)

        // The swapped-in tables keep the migrations' storage parameters (migration 0009's fill factors).
        let fillFactors = try harness.query("""
            SELECT c.relname || ' ' || array_to_string(c.reloptions, ',') FROM pg_class c
            WHERE c.relnamespace = 'pipeline'::regnamespace AND c.relname IN ('funnel_daily', 'orders')
            ORDER BY c.relname
            """).map { $0[0] }
        #expect(fillFactors == ["funnel_daily fillfactor=70", "orders fillfactor=70"])
        // And the state log's lz4 compression (migration 0011), on a server built with lz4 as Debian's is.
        let compression = try harness.query("""
            SELECT attcompression::text FROM pg_attribute
            WHERE attrelid = 'pipeline.state_log'::regclass AND attname = 'body'
            """).first?.first ?? nil
        #expect(compression == "l")

        let oracle = data.oracle
        var differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [])
        #expect(differences.isEmpty, "after the swap:\n\(differences.prefix(30).joined(separator: "\n"))")

        // More events after the swap: the live group continues from the rebuild's offsets.
        let extra = (0..<20).map {
            #"{"id":"late-\#($0)","type":"click","project":"alpha","source":"test","occurred_at":"2026-03-01T10:00:00+03:00","data":{"visitor_id":"v\#($0)","url":"https://school.example/","utm":{"source":"vk","campaign":"c1","content":"a1"}}}"#
        }
        try harness.produce(extra)
        _ = try PipelineWorker(configuration: live, logger: harness.logger).run()
        let all = Oracle(events: data.distinctInDeliveryOrder + extra.map { try! Event.decode(json: $0) }, rates: data.rates,
                         timeZones: data.timeZones, baseCurrencies: data.baseCurrencies)
        differences = try ViewsEndToEndTests.differences(harness, all, summaries: [])
        #expect(differences.isEmpty, "after the swap and more events:\n\(differences.prefix(30).joined(separator: "\n"))")
        #expect(try harness.query("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pipeline_%'")[0][0] == "0")
    }
}

@Suite("rebuild with a live worker running through the swap")
struct RebuildWithLiveWorkerTests {
    @Test("events applied by the live worker during the rebuild are re-applied to the new tables, once; the owner reloads after the swap")
    func liveWorkerThroughSwap() throws {
        var generator = RandomEvents(seed: 19)
        let data = generator.dataSet(count: 400)
        let harness = try WorkerHarness(partitions: 2)
        try harness.importRates(data.rates)
        let first = data.deliveries.count * 2 / 3
        try harness.produce(Array(data.deliveries[..<first]))
        var live = harness.workerConfiguration(untilCaughtUp: false, batch: 5)
        live.projects = data.projects
        live.maxBatchWait = .milliseconds(50)

        // The live worker runs throughout, while the rest of the events arrive during the rebuild.
        let stop = LockedFlag()
        let errors = ErrorLog()
        let liveConfiguration = live
        let leasesTaken = LockedCounter()
        let liveThread = Thread {
            do {
                let summary = try PipelineWorker(configuration: liveConfiguration, logger: harness.logger).run(shouldStop: { stop.isSet })
                for _ in 0..<summary.leasesTaken { _ = leasesTaken.increment() }
            } catch {
                errors.record("live worker: \(error)")
            }
        }
        liveThread.start()
        let producer = Thread {
            for chunk in stride(from: first, to: data.deliveries.count, by: 20) {
                do { try harness.produce(Array(data.deliveries[chunk..<min(chunk + 20, data.deliveries.count)])) } catch {
                    errors.record("producer: \(error)")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        producer.start()
        let migrator = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: harness.logger)
        var rebuildConfiguration = live
        rebuildConfiguration.maxBatchMessages = 50
        _ = try Rebuild(live: rebuildConfiguration, migrator: migrator, logger: harness.logger).run()
        while !producer.isFinished { Thread.sleep(forTimeInterval: 0.02) }

        // Let the live worker catch up with everything, then stop it. A deadline to fail by, never a
        // measured duration: alone this takes seconds, on a loaded 2-core machine the group's
        // coordinator can stall for a minute.
        let deadline = Date().addingTimeInterval(240)
        var applied = 0
        while Date() < deadline {
            applied = Int(try harness.query("SELECT coalesce(sum(next_offset), 0) FROM pipeline.consumer_offsets WHERE group_id = $1",
                                            [live.groupID])[0][0]!)!
            if applied >= data.deliveries.count { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop.set()
        while !liveThread.isFinished { Thread.sleep(forTimeInterval: 0.02) }
        #expect(errors.entries.isEmpty, "\(errors.entries)")
        #expect(applied == data.deliveries.count)
        // The swap brought tables without the live group's lease row: the owner's next batch was
        // refused, and it took the lease again and loaded its state from the new tables.
        #expect(leasesTaken.increment() == 3, "leases taken by the live worker: once at start, once after the swap")

        let oracle = data.oracle
        let differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [])
        #expect(differences.isEmpty, "\(differences.prefix(30).joined(separator: "\n"))")
    }
}

/// A flag set once from one thread and read from another.
final class LockedFlag: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
