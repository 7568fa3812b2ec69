import Kafka
import Testing
@testable import Worker

/// Partitions whose every message expired before the worker read them, found from the watermarks.
@Suite struct LostRangeTests {
    @Test("an emptied partition past the stored offset is a lost range from there to its log start; others are not")
    func emptied() {
        func partition(_ number: Int32) -> KafkaTopicPartition { KafkaTopicPartition(topic: "school.orders", partition: number) }
        let marks: [KafkaTopicPartition: Watermarks] = [
            partition(0): Watermarks(low: 100, high: 100),  // all expired, 40 stored: 40..<100 lost
            partition(1): Watermarks(low: 100, high: 100),  // all expired, but all applied before
            partition(2): Watermarks(low: 0, high: 0),      // nothing ever written
            partition(3): Watermarks(low: 50, high: 80),    // messages left: the consumer finds the gap
            partition(4): Watermarks(low: 7, high: 7),      // all expired, nothing stored: 0..<7 lost
        ]
        let stored: [KafkaTopicPartition: Int64] = [partition(0): 40, partition(1): 100, partition(3): 10]
        #expect(LostRange.emptied(marks, stored: stored) == [
            LostRange(partition: partition(0), from: 40, to: 100),
            LostRange(partition: partition(4), from: 0, to: 7),
        ])
        #expect(LostRange(partition: partition(0), from: 40, to: 100).messages == 60)
    }
}
