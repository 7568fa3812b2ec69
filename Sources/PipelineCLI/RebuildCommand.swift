import ArgumentParser
import Foundation
import Migrations
import Worker

/// `pipeline rebuild`: every aggregate recomputed from the topics and swapped in atomically.
struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Recompute every aggregate from the earliest offsets into fresh tables, then swap them in atomically.",
        discussion: """
            BI queries keep reading the old figures until the swap, one short transaction. Live
            workers may keep running: they pause during the swap and then re-apply whatever they
            had applied beyond the rebuild's offsets. Retention permitting: what the topics no
            longer hold cannot be rebuilt.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Most messages applied in one transaction.")
    var batchSize: Int = 5_000

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.rebuild")
        var live = WorkerConfiguration(kafka: settings.kafka, databaseURL: settings.databaseURL)
        live.groupID = settings.workerGroupID
        live.topics = settings.topics
        live.projects = settings.projects
        live.maxBatchMessages = batchSize
        let migrator = try Migrator(directory: try settings.resolvedMigrationsDirectory(), logger: logger)
        let started = ContinuousClock.now
        let summary = try Rebuild(live: live, migrator: migrator, logger: logger).run { done, total in
            let seconds = max(Double((ContinuousClock.now - started).components.seconds), 0.001)
            let rate = Double(done) / seconds
            let percent = total > 0 ? 100 * done / total : 100
            let eta = rate > 0 ? Int(Double(max(total - done, 0)) / rate) : 0
            FileHandle.standardError.write(Data(
                "\rrebuild: \(done) of \(total) messages (\(percent)%), \(Int(rate)) msg/s, ETA \(eta) s   ".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("rebuilt from \(summary.messages) messages (\(summary.applied) applied, \(summary.duplicates) duplicates, \(summary.deadLetters) dead letters) and swapped in")
    }
}
