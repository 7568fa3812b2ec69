import Foundation
import Kafka
import Testing

@Suite struct KafkaConsumerTests {
    @Test func assignOffsetsAreHonouredBatchedAndSeekable() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("offsets")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        let reports = try await producer.send((0..<10).map { KafkaOutgoingMessage(topic: topic, key: "k", value: "m\($0)") })
        #expect(reports.map(\.offset) == Array(0..<10))

        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let assigned = Recorder<[[KafkaTopicPartition]]>([])
        let handler = KafkaRebalanceHandler(onAssign: { partitions in
            assigned.update { $0.append(partitions) }
            return [KafkaTopicPartition(topic: topic, partition: 0): 3]
        })
        let (batches, afterSeek, assignment) = try await onThread {
            let consumer = try KafkaConsumer(configuration: mock.configuration(), groupID: uniqueName("group"), rebalance: handler, logger: logger)
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            var batches: [[Int64]] = []
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(120))  // a deadline to fail by; left once the messages are read
            while batches.joined().count < 7 && clock.now < deadline {
                let batch = try consumer.pollBatch(maxMessages: 4, timeout: .milliseconds(500))
                if !batch.isEmpty { batches.append(batch.map(\.offset)) }
            }
            try consumer.seek(partition, to: 5)
            let afterSeek = try poll(consumer, count: 5).map(\.value.string)
            return (batches, afterSeek, consumer.assignment)
        }
        #expect(assigned.value == [[partition]])
        #expect(Array(batches.joined()) == Array(3..<10))
        #expect(batches.allSatisfy { $0.count <= 4 })
        #expect(batches.contains { $0.count > 1 })
        #expect(afterSeek == ["m5", "m6", "m7", "m8", "m9"])
        #expect(assignment == [partition])
    }

    @Test func pollQueuedTakesOnlyWhatIsFetchedUpToTheLimit() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("queued")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        _ = try await producer.send((0..<10).map { KafkaOutgoingMessage(topic: topic, key: "k", value: "m\($0)") })

        let (first, queued) = try await onThread {
            let consumer = try KafkaConsumer(
                configuration: mock.configuration(), groupID: uniqueName("group"), rebalance: .fromBeginning, logger: logger)
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            // The first message proves the partition is fetched; the rest arrive in the same fetch.
            var first: [KafkaMessage] = []
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(120))  // a deadline to fail by; left once the messages are read
            while first.isEmpty && clock.now < deadline {
                first = try consumer.pollBatch(maxMessages: 1, timeout: .milliseconds(500))
            }
            var queued: [[String]] = []
            while queued.joined().count < 9 && clock.now < deadline {
                let batch = try consumer.pollQueued(maxMessages: 4)
                if !batch.isEmpty { queued.append(batch.map(\.value.string)) }
            }
            return (first.map(\.value.string), queued)
        }
        #expect(first == ["m0"])
        #expect(Array(queued.joined()) == ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"])
        #expect(queued.allSatisfy { $0.count <= 4 })
    }

    @Test func twoMembersOfOneGroupSplitThePartitions() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("shared")
        try mock.createTopic(topic, partitions: 4)
        let group = uniqueName("group")
        let all = (0..<4).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }

        let (first, second) = try await onThread {
            let a = try KafkaConsumer(configuration: mock.configuration(), groupID: group, rebalance: .fromBeginning, logger: logger)
            let b = try KafkaConsumer(configuration: mock.configuration(), groupID: group, rebalance: .fromBeginning, logger: logger)
            defer {
                a.close()
                b.close()
            }
            try a.subscribe(topics: [topic])
            try b.subscribe(topics: [topic])
            let clock = ContinuousClock()
            // A deadline to fail by (the loop leaves as soon as the split is seen): under the whole
            // suite on 2 cores a group's rebalance can take a minute.
            let deadline = clock.now.advanced(by: .seconds(120))
            // Both members must keep polling: a rebalance only completes when every member rejoins.
            while clock.now < deadline {
                _ = try a.pollBatch(maxMessages: 10, timeout: .milliseconds(100))
                _ = try b.pollBatch(maxMessages: 10, timeout: .milliseconds(100))
                if !a.assignment.isEmpty && !b.assignment.isEmpty && (a.assignment + b.assignment).sorted() == all { break }
            }
            return (a.assignment, b.assignment)
        }
        #expect(first.count == 2)
        #expect(second.count == 2)
        #expect((first + second).sorted() == all)
    }
}
