import ArgumentParser
import Dispatch
import Foundation
import Logging
import Metrics
import MetricsEndpoint
import Prometheus
import ServiceLifecycle
import Worker

/// `pipeline worker`: a member of the consumer group that keeps the aggregates current.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Consume the event topics and keep the aggregates in PostgreSQL, exactly once.",
        discussion: """
            With --metrics-port, also serves /metrics (Prometheus text) and /healthz (503 once the \
            consume loop has not turned for --stall-seconds), and measures the consumer lag of every \
            partition every --lag-interval seconds.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Exit 0 once every partition is applied up to the high watermark seen at start.")
    var untilCaughtUp = false

    @Option(help: "Consumer group (default: worker.group_id of the config, else school-workers).")
    var group: String?

    @Option(help: "Most messages applied in one transaction.")
    var batchSize: Int = 20_000

    @Option(help: "Most messages of the first batch after taking the lease; each later batch may hold twice as many, up to --batch-size.")
    var firstBatchSize: Int = 2_000

    @Option(help: "Longest wait for a batch to fill, in milliseconds.")
    var batchWaitMs: Int = 200

    @Option(help: "Serve /metrics and /healthz on this port (default: not served; the compose stack uses 9100).")
    var metricsPort: Int?

    @Option(help: "Listen address of the metrics endpoint.")
    var metricsHost: String = "127.0.0.1"

    @Option(help: "Seconds between two measurements of the consumer lag (with --metrics-port).")
    var lagInterval: Int = 10

    @Option(help: "Seconds without a turn of the consume loop after which /healthz answers 503.")
    var stallSeconds: Int = 120

    func run() async throws {
        let settings = try global.settings()
        var logger = makeLogger("pipeline.worker")
        guard batchSize > 0 else { throw ValidationError("--batch-size: must be at least 1") }
        guard firstBatchSize > 0 else { throw ValidationError("--first-batch-size: must be at least 1") }
        guard lagInterval > 0 else { throw ValidationError("--lag-interval: must be at least 1") }
        guard stallSeconds > 0 else { throw ValidationError("--stall-seconds: must be at least 1") }
        if let metricsPort, !(0...65_535).contains(metricsPort) {
            throw ValidationError("--metrics-port: \(metricsPort) is not a TCP port")
        }
        HeapTuning.giveLargeBlocksBack()
        var configuration = WorkerConfiguration(kafka: settings.kafka, databaseURL: settings.databaseURL)
        configuration.groupID = group ?? settings.workerGroupID
        configuration.topics = settings.topics
        configuration.projects = settings.projects
        configuration.maxBatchMessages = batchSize
        configuration.firstBatchMessages = firstBatchSize
        configuration.maxBatchWait = .milliseconds(batchWaitMs)
        configuration.untilCaughtUp = untilCaughtUp
        logger[metadataKey: "group"] = "\(configuration.groupID)"

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        PipelineWorker.registerMetricsAtZero(configuration: configuration)

        let liveness = Liveness(allowedSilence: .seconds(stallSeconds))
        let summary = SummaryBox()
        // The worker and the sampler are made on the threads that use them: neither is Sendable.
        let workerLoop = BlockingLoopService(name: "worker") { [configuration, logger] shouldStop in
            let worker = PipelineWorker(configuration: configuration, logger: logger)
            summary.value = try worker.run(shouldStop: {
                liveness.beat()
                return shouldStop()
            })
        }
        // Listed in start order; shutdown runs in reverse: the worker finishes its transaction
        // first, and the endpoint stays scrapable until last.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let metricsPort {
            let interval = Duration.seconds(lagInterval)
            services.append(.init(service: MetricsEndpoint(
                host: metricsHost, port: metricsPort, registry: registry, liveness: liveness, logger: logger)))
            services.append(.init(service: BlockingLoopService(name: "lag sampler") { [configuration, logger] shouldStop in
                ConsumerLagSampler(configuration: configuration, logger: logger).run(every: interval, shouldStop: shouldStop)
            }))
        }
        // The loop ending by itself (--until-caught-up) ends the whole role.
        services.append(.init(service: workerLoop, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()

        if let totals = summary.value {
            print("""
                worker done: \(totals.batches) batches, \(totals.messages) messages, \(totals.applied) applied, \
                \(totals.duplicates) duplicate ids, \(totals.alreadyApplied) already applied, \
                \(totals.deadLetters) dead letters; waited \(Self.seconds(totals.waitingForMessages)) s for messages, \
                \(Self.seconds(totals.waitingForCommits)) s for commits
                """)
        }
    }

    /// A duration as seconds with two decimals, for the summary line.
    private static func seconds(_ duration: Duration) -> String {
        let (whole, attoseconds) = duration.components
        return String(format: "%.2f", Double(whole) + Double(attoseconds) / 1e18)
    }
}

/// Runs a blocking loop (libpq and librdkafka calls block) on a thread of its own as a `Service`;
/// graceful shutdown or cancellation raises the flag the loop polls between turns.
struct BlockingLoopService: Service, CustomStringConvertible {
    let name: String
    let body: @Sendable (_ shouldStop: @escaping @Sendable () -> Bool) throws -> Void

    var description: String { name }

    func run() async throws {
        let stop = StopFlag()
        let body = body
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                    Thread { continuation.resume(with: Result { try body { stop.isRaised } }) }.start()
                }
            } onGracefulShutdown: {
                stop.raise()
            }
        } onCancel: {
            stop.raise()
        }
    }
}

/// A flag raised once, read by a loop on another thread.
final class StopFlag: @unchecked Sendable {
    // Safe: `raised` is only read and written under `lock`.
    private let lock = NSLock()
    private var raised = false

    var isRaised: Bool { lock.withLock { raised } }

    func raise() { lock.withLock { raised = true } }
}

/// The worker's totals, handed from its thread back to the command.
private final class SummaryBox: @unchecked Sendable {
    // Safe: written once by the worker thread before its service returns, read after the group has ended.
    var value: PipelineWorker.Summary?
}

/// Raised by SIGINT or SIGTERM, so a blocking loop can finish its transaction and leave the group.
final class StopSignal: @unchecked Sendable {
    // Safe: the flag is only read and written under `lock`.
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.raise() }
            source.resume()
            sources.append(source)
        }
    }

    var isRaised: Bool { lock.withLock { raised } }

    func raise() { lock.withLock { raised = true } }

    /// Blocks the calling thread until a signal arrives.
    func wait() {
        while !isRaised { Thread.sleep(forTimeInterval: 0.1) }
    }
}
