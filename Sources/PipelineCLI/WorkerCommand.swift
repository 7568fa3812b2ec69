import ArgumentParser
import Dispatch
import Foundation
import Worker

/// `pipeline worker`: a member of the consumer group that keeps the aggregates current.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Consume the event topics and keep the aggregates in PostgreSQL, exactly once.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Exit 0 once every partition is applied up to the high watermark seen at start.")
    var untilCaughtUp = false

    @Option(help: "Consumer group (default: worker.group_id of the config, else school-workers).")
    var group: String?

    @Option(help: "Most messages applied in one transaction.")
    var batchSize: Int = 5_000

    @Option(help: "Longest wait for a batch to fill, in milliseconds.")
    var batchWaitMs: Int = 200

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.worker")
        guard batchSize > 0 else { throw ValidationError("--batch-size: must be at least 1") }
        var configuration = WorkerConfiguration(kafka: settings.kafka, databaseURL: settings.databaseURL)
        configuration.groupID = group ?? settings.workerGroupID
        configuration.topics = settings.topics
        configuration.projects = settings.projects
        configuration.maxBatchMessages = batchSize
        configuration.maxBatchWait = .milliseconds(batchWaitMs)
        configuration.untilCaughtUp = untilCaughtUp

        let stop = StopSignal()
        let summary = try PipelineWorker(configuration: configuration, logger: logger)
            .run(shouldStop: { stop.isRaised })
        print("""
            worker done: \(summary.batches) batches, \(summary.messages) messages, \(summary.applied) applied, \
            \(summary.duplicates) duplicate ids, \(summary.alreadyApplied) already applied, \
            \(summary.deadLetters) dead letters
            """)
    }
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
