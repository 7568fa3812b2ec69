import Verification
import Foundation
import PipelineTestSupport
import Testing

@Suite("worker killed with SIGKILL and restarted")
struct WorkerCrashTests {
    func startWorker(_ harness: WorkerHarness, configFile: URL, untilCaughtUp: Bool) throws -> ChildProcess {
        try ChildProcess(
            executable: try PipelineExecutable.url().path,
            arguments: ["worker", "--config", configFile.path, "--group", harness.groupID, "--batch-size", "50"]
                + (untilCaughtUp ? ["--until-caught-up"] : []),
            environment: [
                "KAFKA_BROKERS": harness.cluster.bootstrapServers, "DATABASE_URL": harness.databaseURL, "LOG_LEVEL": "warning",
            ],
            standardOutput: .discard)
    }

    /// Starts a worker process per threshold and kills it with SIGKILL once that many events
    /// are applied; returns how many were applied at each kill.
    func killWorker(_ harness: WorkerHarness, configFile: URL, afterApplying thresholds: [Int]) throws -> [Int] {
        var killedAt: [Int] = []
        for threshold in thresholds {
            let worker = try startWorker(harness, configFile: configFile, untilCaughtUp: false)
            let deadline = Date().addingTimeInterval(60)
            var applied = 0
            while Date() < deadline {
                applied = Int(try harness.query("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches")[0][0]!)!
                if applied >= threshold { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            worker.forceKill()
            #expect(worker.wait().signal != nil)
            killedAt.append(applied)
        }
        return killedAt
    }

    @Test("counts stay exact across two kills in the middle of the work")
    func killedTwiceStillExact() throws {
        let harness = try WorkerHarness()
        let total = 12_000
        // Ten days, 1,200 registrations each, spread over all partitions by user key.
        try harness.produce((0..<total).map {
            registrationJSON(id: "reg-\($0)", user: "user-\($0)", at: "2026-05-\(String(format: "%02d", 1 + $0 % 10))T12:00:00+03:00")
        })
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(harness.groupID).json")
        try Data("""
            {"topics": {"registrations": "\(harness.topics.registrations)", "deadletter": "\(harness.topics.deadLetter)"}}
            """.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }

        let killedAt = try killWorker(harness, configFile: config, afterApplying: [2_000, 6_000])
        #expect(killedAt[0] >= 2_000 && killedAt[0] < total, "killed after \(killedAt) of \(total) events")

        let finisher = try startWorker(harness, configFile: config, untilCaughtUp: true)
        #expect(finisher.wait().status == 0)

        let expected = Dictionary(uniqueKeysWithValues: (1...10).map {
            ("school-a 2026-05-\(String(format: "%02d", $0))", 1_200)
        })
        #expect(try harness.registrationsDaily() == expected)
        #expect(try harness.query("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches")[0][0] == "12000")
    }

    @Test("every view stays exact when a worker applying mixed events is killed twice")
    func mixedEventsKilledTwice() throws {
        var generator = RandomEvents(seed: 91)
        let data = generator.dataSet(count: 1_500)
        let harness = try WorkerHarness(partitions: 3)
        try harness.importRates(data.rates)
        try harness.produce(data.deliveries)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(harness.groupID).json")
        let topics = harness.topics
        try Data("""
            {"topics": {"clicks": "\(topics.clicks)", "registrations": "\(topics.registrations)", "orders": "\(topics.orders)",
                        "mails": "\(topics.mails)", "chat": "\(topics.chat)", "adstats": "\(topics.adStats)", "learning": "\(topics.learning)",
                        "deadletter": "\(topics.deadLetter)"},
             "projects": {"beta": {"time_zone": "America/New_York", "base_currency": "USD"}}}
            """.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }

        let killedAt = try killWorker(harness, configFile: config, afterApplying: [300, 800])
        #expect(killedAt[0] >= 300 && killedAt[0] < data.distinctInDeliveryOrder.count, "killed after \(killedAt)")

        let finisher = try startWorker(harness, configFile: config, untilCaughtUp: true)
        #expect(finisher.wait().status == 0)

        let oracle = data.oracle
        let differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [])
        #expect(differences.isEmpty, "\(differences.prefix(30).joined(separator: "\n"))")
    }
}
