import Foundation
import Kafka
import Testing

/// Stands in for the caller's offset store (PostgreSQL) being unreachable during a rebalance.
struct OffsetStoreUnavailable: Error, Equatable {}

@Suite struct KafkaConsumerFailureTests {
    @Test func anOnAssignErrorIsThrownByPollBatchAndNothingIsConsumed() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("failing")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "v"))
        let handler = KafkaRebalanceHandler(onAssign: { _ in throw OffsetStoreUnavailable() })

        let (thrown, assignment) = try await onThread { () -> ((any Error)?, [KafkaTopicPartition]) in
            let consumer = try KafkaConsumer(configuration: mock.configuration(), groupID: uniqueName("group"), rebalance: handler, logger: logger)
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(120))  // a deadline to fail by; left at the first answer
            while clock.now < deadline {
                do {
                    let batch = try consumer.pollBatch(maxMessages: 10, timeout: .milliseconds(200))
                    if !batch.isEmpty { return (nil, consumer.assignment) }
                } catch {
                    return (error, consumer.assignment)
                }
            }
            return (nil, consumer.assignment)
        }
        #expect(thrown as? OffsetStoreUnavailable == OffsetStoreUnavailable())
        #expect(assignment == [])
    }
}
