import ArgumentParser
import Foundation
import Events
import Kafka

/// `pipeline kafka-mock`: the embedded Kafka for the demo and local runs.
struct KafkaMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-mock",
        abstract: "Run librdkafka's mock cluster with the SPEC topics; print its bootstrap address and serve until SIGINT/SIGTERM.",
        discussion: """
            It speaks the Kafka protocol over TCP, so other processes (workers, kcat) can use it.
            It keeps at most about 5 MiB per partition and drops older data: size --partitions to the data.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Number of brokers.")
    var brokers: Int = 1

    @Option(help: "Partitions of each event topic.")
    var partitions: Int32 = 4

    func run() throws {
        let settings = try global.settings()
        let stop = StopSignal()
        let cluster = try KafkaMockCluster(brokers: brokers, logger: makeLogger("pipeline.kafka-mock"))
        for topic in settings.topics.all {
            try cluster.createTopic(topic, partitions: partitions)
        }
        // Written unbuffered: scripts read the address while this process keeps running.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        stop.wait()
        withExtendedLifetime(cluster) {}
    }
}
