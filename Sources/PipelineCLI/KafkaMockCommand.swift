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
            It keeps at most about 5 MiB per partition and drops older data without a word: give
            --expected-events and it sizes the partitions for them (it prints the cap and its choice).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Number of brokers.")
    var brokers: Int = 1

    @Option(help: "Partitions of each event topic (at least; --expected-events may ask for more).")
    var partitions: Int32 = 4

    @Option(help: "Envelopes you will produce: each topic gets enough partitions to hold them all, with room to spare.")
    var expectedEvents: Int?

    @Option(help: "Bytes one envelope takes in the log, for --expected-events.")
    var averageEventBytes: Int = 512

    func validate() throws {
        guard partitions > 0 else { throw ValidationError("--partitions: must be at least 1, got \(partitions)") }
        if let expectedEvents, expectedEvents < 0 {
            throw ValidationError("--expected-events: must not be negative, got \(expectedEvents)")
        }
        guard averageEventBytes > 0 else {
            throw ValidationError("--average-event-bytes: must be at least 1, got \(averageEventBytes)")
        }
    }

    func run() throws {
        let settings = try global.settings()
        let stop = StopSignal()
        let cluster = try KafkaMockCluster(brokers: brokers, logger: makeLogger("pipeline.kafka-mock"))
        let plan = KafkaMockSizing.plan(
            expectedEvents: expectedEvents, averageEventBytes: averageEventBytes, minimumPartitions: partitions)
        for topic in settings.topics.all {
            try cluster.createTopic(topic, partitions: plan.partitions)
        }
        FileHandle.standardError.write(Data((plan.line + "\n").utf8))
        // Written unbuffered: scripts read the address while this process keeps running.
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))
        stop.wait()
        withExtendedLifetime(cluster) {}
    }
}
