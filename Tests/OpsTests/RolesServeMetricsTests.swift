import Events
import Foundation
import Kafka
import Logging
import Postgres
import Testing

/// The real roles, as processes against librdkafka's mock cluster and a throwaway PostgreSQL:
/// what Prometheus would scrape from them, and what BI reads once a month of events went through.
@Suite("the roles serve what the dashboards and alerts read")
struct RolesServeMetricsTests {

    @Test("ingest and worker expose every metric named by a dashboard or alert; lag and counts follow a month of demo events; every BI query answers")
    func rolesServeMetrics() throws {
        let logger = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let topics = EventTopics()
        for topic in topics.all { try cluster.createTopic(topic, partitions: 2) }
        let (databaseURL, reader) = try BIQueries.migratedDatabase(prefix: "ops_roles")
        defer { reader.close() }
        let environment = [
            "KAFKA_BROKERS": cluster.bootstrapServers, "DATABASE_URL": databaseURL, "LOG_LEVEL": "warning",
            "PIPELINE_PROJECT_DEMO_SCHOOL_SALT": "ops-salt", "PIPELINE_PROJECT_DEMO_SCHOOL_SECRET": "ops-secret",
            // The probe click goes to a project of its own, so the demo school's month stays as generated.
            "PIPELINE_PROJECT_OPS_PROBE_SALT": "ops-salt", "PIPELINE_PROJECT_OPS_PROBE_ALLOWED_HOSTS": "school.example",
        ]
        let workerPort = try PipelineProcess.freePort()
        let worker = try PipelineProcess(
            ["worker", "--metrics-port", String(workerPort), "--lag-interval", "1", "--group", "ops-workers"],
            environment: environment)
        let ingestPort = try PipelineProcess.freePort()
        let ingest = try PipelineProcess(["ingest", "--port", String(ingestPort)], environment: environment)
        let workerMetrics = "http://127.0.0.1:\(workerPort)/metrics"
        let ingestBase = "http://127.0.0.1:\(ingestPort)"

        #expect(eventually { httpGet("http://127.0.0.1:\(workerPort)/healthz").status == 200 }, "worker: \(worker.output)")
        #expect(eventually { httpGet("\(ingestBase)/healthz").status == 200 }, "ingest: \(ingest.output)")

        // Before any event: the worker's series exist at zero (the lag after its first measurement).
        #expect(eventually { httpGet(workerMetrics).body.contains("pipeline_worker_consumer_lag{") })
        let idle = httpGet(workerMetrics).body
        #expect(MetricNames.samples(of: "pipeline_worker_messages_total", in: idle).count == topics.eventTopics.count)
        #expect(MetricNames.samples(of: "pipeline_worker_messages_total", in: idle).values.allSatisfy { $0 == 0 })
        #expect(MetricNames.samples(of: "pipeline_worker_dead_letters_total", in: idle).values.allSatisfy { $0 == 0 })
        // Every partition of every consumed topic, empty.
        #expect(MetricNames.samples(of: "pipeline_worker_consumer_lag", in: idle).count == 2 * topics.eventTopics.count)
        #expect(MetricNames.samples(of: "pipeline_worker_last_batch_timestamp_seconds", in: idle) == ["": 0])

        // One tracked click through the webhook server: its request and event counters exist from then on.
        let click = httpGet("\(ingestBase)/c/ops-probe/oct?url=https%3A%2F%2Fschool.example%2Fw&utm_source=yandex&utm_campaign=7&utm_content=15")
        #expect(click.status == 302 || click.status == 200, "click: \(click)")
        let ingestExposition = httpGet("\(ingestBase)/metrics").body

        var exposed = MetricNames.exposed(in: idle).union(MetricNames.exposed(in: ingestExposition))
        do {
            // One network configured, its API unreachable (nothing on port 1): the poller's series must
            // exist from start-up whatever its polls do; no request leaves the machine.
            let pollPort = try PipelineProcess.freePort()
            var pollEnvironment = environment
            pollEnvironment["PIPELINE_YANDEX_DIRECT_TOKEN"] = "ops-test-token"
            let poll = try PipelineProcess(
                ["poll", "--project", "ops", "--no-fx-rates", "--yandex-direct-url", "http://127.0.0.1:1",
                 "--metrics-port", String(pollPort)], environment: pollEnvironment)
            #expect(eventually { httpGet("http://127.0.0.1:\(pollPort)/metrics").status == 200 }, "poll: \(poll.output)")
            exposed.formUnion(MetricNames.exposed(in: httpGet("http://127.0.0.1:\(pollPort)/metrics").body))
            #expect(poll.stop() == 0, "poll: \(poll.output.suffix(2_000))")
        }
        for (name, readers) in try OpsFilesTests.referencedMetrics().sorted(by: { $0.key < $1.key }) {
            #expect(exposed.contains(name), "\(name) is read by \(readers.joined(separator: ", ")) but no role exposes it")
        }

        // The applied-events count is the admin's to read: the BI role sees only `bi`.
        // A month of the demo school through Kafka: the worker's counters and lag must account for every message.
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ops-demo-\(UUID())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let events = try PipelineProcess.run(
            ["demo-data", "--month", "2026-10", "--fx-rates", work.appendingPathComponent("rates.csv").path], environment: environment)
        try Data(events.utf8).write(to: work.appendingPathComponent("events.jsonl"))
        try PipelineProcess.run(["fx", "import", work.appendingPathComponent("rates.csv").path], environment: environment)
        try PipelineProcess.run(["produce", work.appendingPathComponent("events.jsonl").path], environment: environment)
        let produced = events.split(separator: "\n").count + 1  // and the click

        func totals() -> (messages: Double, lag: Double) {
            let text = httpGet(workerMetrics).body
            return (MetricNames.samples(of: "pipeline_worker_messages_total", in: text).values.reduce(0, +),
                    MetricNames.samples(of: "pipeline_worker_consumer_lag", in: text).values.reduce(0, +))
        }
        let caughtUp = eventually(within: .seconds(120)) {
            let now = totals()
            return now.messages == Double(produced) && now.lag == 0
        }
        #expect(caughtUp, "worker totals \(totals()) for \(produced) messages produced; log: \(worker.output.suffix(2_000))")
        let busy = httpGet(workerMetrics).body
        #expect((MetricNames.samples(of: "pipeline_worker_last_batch_timestamp_seconds", in: busy)[""] ?? 0) > 0)
        // The only worker of a fresh database took the lease once.
        #expect(MetricNames.samples(of: "pipeline_worker_lease_epoch", in: busy) == ["": 1])
        // Nothing failed, so no batch computed ahead was applied again alone; the series exists at 0.
        #expect(MetricNames.samples(of: "pipeline_worker_reloads_total", in: busy) == ["": 0])
        let applied = MetricNames.samples(of: "pipeline_worker_events_applied_total", in: busy)[""] ?? 0
        let duplicates = MetricNames.samples(of: "pipeline_worker_duplicate_events_total", in: busy)[""] ?? 0
        let admin = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { admin.close() }
        let appliedIDs = Double(try admin.execute("SELECT coalesce(sum(events), 0) FROM pipeline.applied_batches").rows[0][0] ?? "") ?? -1
        #expect(applied == appliedIDs, "applied counter \(applied), applied ids \(appliedIDs)")
        #expect(applied + duplicates <= Double(produced))

        // The BI tools' queries, on a month of data, for the demo school: none fails, panels show rows.
        // With some filter values chosen, the values are those of BusinessDashboardDataTests' data set
        // (which checks those rows); on the demo month they must still run, and may select nothing.
        for (label, sql) in try BIQueries.all(project: "demo-school") {
            do {
                let rows = try reader.execute(sql).rows
                #expect(label.hasSuffix("[some]") || !rows.isEmpty, "\(label) returned no rows for the demo month")
            } catch {
                Issue.record("\(label): \(error)\n\(sql)")
            }
        }

        // SIGTERM: the worker finishes its batch, leaves the group and reports; exit 0.
        #expect(worker.stop() == 0, "worker: \(worker.output.suffix(2_000))")
        #expect(worker.output.contains("worker done:"))
        #expect(ingest.stop() == 0)
    }
}
