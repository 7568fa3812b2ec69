@testable import Kafka
import Testing

/// `PartitionRun.runs(of:)`: per-partition bookkeeping once a run must see every message once.
@Suite struct PartitionRunTests {
    private func message(_ topic: String, _ partition: Int32, _ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: partition, offset: offset, key: nil, value: [], headers: [])
    }

    @Test func emptyBatchHasNoRuns() {
        #expect(PartitionRun.runs(of: [KafkaMessage]()).isEmpty)
    }

    @Test func consecutiveMessagesOfOnePartitionFormOneRun() {
        let batch = [message("t", 0, 5), message("t", 0, 6), message("t", 1, 2), message("u", 1, 9), message("u", 1, 10)]
        #expect(PartitionRun.runs(of: batch) == [
            PartitionRun(partition: KafkaTopicPartition(topic: "t", partition: 0), indices: 0..<2, lowestOffset: 5, highestOffset: 6),
            // Same partition number, another topic: another run.
            PartitionRun(partition: KafkaTopicPartition(topic: "t", partition: 1), indices: 2..<3, lowestOffset: 2, highestOffset: 2),
            PartitionRun(partition: KafkaTopicPartition(topic: "u", partition: 1), indices: 3..<5, lowestOffset: 9, highestOffset: 10),
        ])
    }

    @Test func aPartitionComingBackStartsANewRunAndOffsetsNeedNotAscend() {
        let batch = [message("t", 0, 7), message("t", 0, 3), message("t", 1, 1), message("t", 0, 8)]
        #expect(PartitionRun.runs(of: batch) == [
            PartitionRun(partition: KafkaTopicPartition(topic: "t", partition: 0), indices: 0..<2, lowestOffset: 3, highestOffset: 7),
            PartitionRun(partition: KafkaTopicPartition(topic: "t", partition: 1), indices: 2..<3, lowestOffset: 1, highestOffset: 1),
            PartitionRun(partition: KafkaTopicPartition(topic: "t", partition: 0), indices: 3..<4, lowestOffset: 8, highestOffset: 8),
        ])
    }

    /// Against a per-message count: every message in exactly one run, runs in batch order.
    @Test func runsCoverEveryMessageOnceInOrder() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let batch = (0..<Int.random(in: 0..<60, using: &generator)).map { index in
                message(["a", "b"].randomElement(using: &generator)!, Int32.random(in: 0..<3, using: &generator), Int64(index))
            }
            let runs = PartitionRun.runs(of: batch)
            #expect(runs.flatMap { Array($0.indices) } == Array(batch.indices))
            for run in runs {
                let members = batch[run.indices]
                #expect(members.allSatisfy { $0.topicPartition == run.partition })
                #expect(run.lowestOffset == members.map(\.offset).min())
                #expect(run.highestOffset == members.map(\.offset).max())
            }
            for (earlier, later) in zip(runs, runs.dropFirst()) { #expect(earlier.partition != later.partition) }
        }
    }
}
