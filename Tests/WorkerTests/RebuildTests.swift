import Events
import Foundation
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
        _ = try harness.result("UPDATE pipeline.funnel_daily SET visits = visits + 100, revenue = revenue + 1")
        _ = try harness.result("DELETE FROM pipeline.user_monthly")

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

        let oracle = Oracle(events: data.distinctInDeliveryOrder, rates: data.rates,
                            timeZones: data.timeZones, baseCurrencies: data.baseCurrencies)
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

/// A flag set once from one thread and read from another.
final class LockedFlag: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
