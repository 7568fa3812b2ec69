import ArgumentParser
import Events
import Kafka

/// `pipeline topics`: creates and lists the pipeline's topics.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create the SPEC §2 topics (existing ones are left as they are) and list every topic.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Partitions of each event topic.")
    var partitions: Int32 = 4

    @Option(help: "Replication factor (1 for a single broker).")
    var replicationFactor: Int16 = 1

    @Flag(help: "Only list, create nothing.")
    var list = false

    func run() throws {
        let settings = try global.settings()
        let admin = try KafkaAdmin(configuration: settings.kafka, logger: makeLogger("pipeline.topics"))
        if !list {
            try admin.createTopics(
                settings.topics.all.map {
                    KafkaTopicSpec(name: $0, partitions: partitions, replicationFactor: replicationFactor)
                },
                timeout: .seconds(30))
        }
        for (name, count) in try admin.listTopics(timeout: .seconds(10)).sorted(by: { $0.key < $1.key }) {
            print("\(name)\t\(count) partition(s)")
        }
    }
}
