import Verification
import Foundation
import PipelineTestSupport
import Testing
import Worker

@Suite("several workers of one group")
struct ConsumerGroupTests {
    @Test("three workers of one group, the third late and leaving early: one owns at a time, the others take over, the views stay exact")
    func workersShareAndRebalance() throws {
        var generator = RandomEvents(seed: 77)
        let data = generator.dataSet(count: 600)
        let harness = try WorkerHarness(partitions: 4)
        try harness.importRates(data.rates)
        try harness.produce(data.deliveries)

        var configuration = harness.workerConfiguration(untilCaughtUp: true, batch: 10)
        configuration.projects = data.projects
        let errors = ErrorLog()
        var threads: [Thread] = []
        for member in 0..<3 {
            let config = configuration
            let thread = Thread {
                do {
                    if member == 2 {
                        // The third joins late and leaves after a while, standing by or owning.
                        Thread.sleep(forTimeInterval: 1.5)
                        let batches = LockedCounter()
                        _ = try PipelineWorker(configuration: config, logger: harness.logger)
                            .run(shouldStop: { batches.increment() > 15 })
                    } else {
                        _ = try PipelineWorker(configuration: config, logger: harness.logger).run()
                    }
                } catch {
                    errors.record("member \(member): \(error)")
                }
            }
            thread.start()
            threads.append(thread)
        }
        let deadline = Date().addingTimeInterval(120)
        while threads.contains(where: { !$0.isFinished }), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let finished = threads.allSatisfy { $0.isFinished }
        #expect(finished, "workers did not finish within 120 s")
        #expect(errors.entries.isEmpty, "\(errors.entries)")

        let oracle = data.oracle
        let differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [])
        #expect(differences.isEmpty, "\(differences.prefix(30).joined(separator: "\n"))")
    }
}

/// Errors recorded from worker threads.
final class ErrorLog: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var list: [String] = []
    var entries: [String] { lock.withLock { list } }
    func record(_ entry: String) { lock.withLock { list.append(entry) } }
}
