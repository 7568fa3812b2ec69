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
}
