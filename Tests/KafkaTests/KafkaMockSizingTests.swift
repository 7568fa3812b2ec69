import Kafka
import Testing

/// The embedded broker's partitions sized for the data it is told to expect.
@Suite struct KafkaMockSizingTests {
    @Test("3M envelopes of 512 bytes with twice the room need 586 partitions of 5 MiB")
    func largeBacklog() {
        // 3,000,000 × 512 × 2 = 3,072,000,000 bytes; / 5,242,880 = 585.9 → 586.
        let sizing = KafkaMockSizing(expectedEvents: 3_000_000, averageEventBytes: 512)
        #expect(sizing.partitions(minimum: 4) == 586)
        // 1,536,000,000 / 586 = 2,621,160 bytes: half the cap.
        #expect(sizing.averageBytesPerPartition(586) == 2_621_160)
    }

    @Test("a small data set keeps the minimum; nothing expected keeps it too")
    func minimum() {
        #expect(KafkaMockSizing(expectedEvents: 1_000, averageEventBytes: 512).partitions(minimum: 4) == 4)
        #expect(KafkaMockSizing(expectedEvents: 0, averageEventBytes: 512).partitions(minimum: 1) == 1)
        // 5,121 × 512 × 2 = 5,243,904 bytes: just over one partition's 5,242,880 → 2.
        #expect(KafkaMockSizing(expectedEvents: 5_121, averageEventBytes: 512).partitions(minimum: 1) == 2)
        #expect(KafkaMockSizing(expectedEvents: 5_120, averageEventBytes: 512).partitions(minimum: 1) == 1)
    }

    @Test("kafka-mock's line names the cap and its choice")
    func line() {
        let cap = "embedded Kafka (librdkafka mock cluster): keeps at most 5 MiB per partition and drops older data silently"
        let sized = KafkaMockSizing.plan(expectedEvents: 3_000_000, averageEventBytes: 512, minimumPartitions: 4)
        // 2,621,160 bytes = 2.4997 MiB, shown rounded down.
        #expect(sized.partitions == 586)
        #expect(sized.line == cap + "; 586 partitions per topic for 3000000 envelopes of ~512 bytes: "
            + "2.49 MiB per partition on average even if one topic takes them all")
        let unsized = KafkaMockSizing.plan(expectedEvents: nil, averageEventBytes: 512, minimumPartitions: 4)
        #expect(unsized.partitions == 4)
        #expect(unsized.line == cap + "; 4 partitions per topic (no --expected-events: size --partitions to the data)")
        // 40,000 × 300 B = 12,000,000 B × 2 = 24,000,000 → 5 partitions (4.58), 2,400,000 B each = 2.28 MiB.
        #expect(KafkaMockSizing.plan(expectedEvents: 40_000, averageEventBytes: 300, minimumPartitions: 2).line
            == cap + "; 5 partitions per topic for 40000 envelopes of ~300 bytes: 2.28 MiB per partition on average even if one topic takes them all")
    }
}
