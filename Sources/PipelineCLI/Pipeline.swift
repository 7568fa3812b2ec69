import ArgumentParser

/// The one executable: every role of the pipeline is a subcommand.
@main
struct Pipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Streaming marketing analytics for online schools: events in, exact figures out.",
        subcommands: [
            MigrateCommand.self,
            ProduceCommand.self,
            WorkerCommand.self,
            TopicsCommand.self,
            KafkaMockCommand.self,
            RebuildCommand.self,
            FxCommand.self,
            AccessCommand.self,
            RedriveCommand.self,
            DemoDataCommand.self,
            IngestCommand.self,
            PollCommand.self,
            BackfillCommand.self,
            ReportCommand.self,
            DigestCommand.self,
            IdentityCommand.self,
        ])
}
