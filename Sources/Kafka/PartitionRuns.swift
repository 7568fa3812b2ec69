/// Consecutive messages of one partition in a polled batch. librdkafka hands a fetched partition's
/// messages over together, so a batch of 20,000 has a few hundred runs: per-partition bookkeeping
/// (offsets, counts) is done once a run instead of hashing a topic name for every message.
public struct PartitionRun: Sendable, Equatable {
    public var partition: KafkaTopicPartition
    /// The positions of the run's messages in the batch.
    public var indices: Range<Int>
    public var lowestOffset: Int64
    public var highestOffset: Int64

    /// The runs of `messages`, in order; a partition may have several runs.
    public static func runs(of messages: [KafkaMessage]) -> [PartitionRun] {
        runs(count: messages.count) { (messages[$0].topic, messages[$0].partition, messages[$0].offset) }
    }

    /// The runs of a batch of `count` items, the item at each position read through `position`
    /// (not generic over the batch: a generic function of this module runs unspecialized, through
    /// runtime metadata, in the modules that call it).
    public static func runs(
        count: Int, _ position: (Int) -> (topic: String, partition: Int32, offset: Int64)
    ) -> [PartitionRun] {
        var runs: [PartitionRun] = []
        for index in 0..<count {
            let (topic, partition, offset) = position(index)
            if var last = runs.last, last.partition.partition == partition, last.partition.topic == topic {
                last.indices = last.indices.lowerBound..<(index + 1)
                last.lowestOffset = min(last.lowestOffset, offset)
                last.highestOffset = max(last.highestOffset, offset)
                runs[runs.count - 1] = last
            } else {
                runs.append(PartitionRun(
                    partition: KafkaTopicPartition(topic: topic, partition: partition), indices: index..<(index + 1),
                    lowestOffset: offset, highestOffset: offset))
            }
        }
        return runs
    }
}
