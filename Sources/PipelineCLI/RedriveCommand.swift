import ArgumentParser
import Foundation
import Worker

/// `pipeline redrive`: sends dead letters back to their topics once their cause is fixed.
struct RedriveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Re-produce dead letters to the topic they came from, with their original key and value.",
        discussion: """
            Reads the dead letter topic up to the high watermarks seen at start, in the consumer group \
            pipeline-redrive; progress is kept in pipeline.redrive_offsets (created if missing) per \
            --reason-contains text, so a second run with the same filter re-produces nothing already \
            re-driven, and dead letters a filter skipped remain for a run with another filter. Headers deadletter.* are dropped and \
            redriven.from.offset (the dead letter's offset) is added. Safe because the worker applies an \
            event id only once: a re-driven event that was meanwhile applied changes nothing. A dead letter \
            that fails again comes back as a new dead letter, for a later run.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Re-produce at most N dead letters (skipped ones do not count); the next run continues after them.", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("Only dead letters whose deadletter.reason contains TEXT (e.g. \"fx rate missing\"); others are left for a run with another filter.", valueName: "text"))
    var reasonContains: String?

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.redrive")
        if let limit, limit < 1 { throw ValidationError("--limit: must be at least 1") }
        var configuration = RedriveConfiguration(
            kafka: settings.kafka, databaseURL: settings.databaseURL, deadLetterTopic: settings.topics.deadLetter)
        configuration.limit = limit
        configuration.reasonContains = reasonContains
        configuration.allowedTopics = Set(settings.topics.eventTopics)
        let stop = StopSignal()
        let summary = try Redrive(configuration: configuration, logger: logger).run(shouldStop: { stop.isRaised })
        print("redriven \(summary.redriven) message(s), skipped \(summary.skipped)")
    }
}
