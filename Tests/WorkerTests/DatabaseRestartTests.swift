import Verification
import Foundation
import PipelineTestSupport
import Testing
import Worker

@Suite("PostgreSQL restarted under a running worker")
struct DatabaseRestartTests {
    @Test("an immediate-mode restart in the middle of the work: the worker retries and the views are exact")
    func restartMidBatch() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        var generator = RandomEvents(seed: 61)
        let data = generator.dataSet(count: 1_200)
        let harness = try WorkerHarness(partitions: 2, server: server)
        try harness.importRates(data.rates)
        try harness.produce(data.deliveries)

        var configuration = harness.workerConfiguration(untilCaughtUp: true, batch: 20)
        configuration.projects = data.projects
        let errors = ErrorLog()
        let workerConfiguration = configuration
        let worker = Thread {
            do { _ = try PipelineWorker(configuration: workerConfiguration, logger: harness.logger).run() } catch {
                errors.record("\(error)")
            }
        }
        worker.start()
        // Restart once a quarter of the events is applied (the worker is then mid-stream).
        let deadline = Date().addingTimeInterval(60)
        var appliedAtRestart = 0
        while Date() < deadline {
            appliedAtRestart = (try? harness.query("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches")[0][0]).flatMap { $0 }.flatMap(Int.init) ?? 0
            if appliedAtRestart >= data.distinctInDeliveryOrder.count / 4 { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        try server.restart()
        #expect(!worker.isFinished && appliedAtRestart < data.distinctInDeliveryOrder.count,
                "restarted after \(appliedAtRestart) applied events")
        while !worker.isFinished, Date() < deadline.addingTimeInterval(60) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(worker.isFinished)
        #expect(errors.entries.isEmpty, "\(errors.entries)")

        let oracle = data.oracle
        let differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [])
        #expect(differences.isEmpty, "\(differences.prefix(30).joined(separator: "\n"))")
    }
}
