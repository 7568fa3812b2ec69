import Foundation
import Kafka
import Testing

@Suite struct KafkaProducerTests {
    @Test func deliveryReportsIncreaseAndKeysAndHeadersRoundTrip() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("events")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)

        var reports: [KafkaDeliveryReport] = []
        for index in 0..<3 {
            reports.append(
                try await producer.send(
                    KafkaOutgoingMessage(
                        topic: topic, key: "key-\(index)", value: "{\"n\":\(index)}",
                        headers: [KafkaHeader(key: "type", string: "t\(index)"), KafkaHeader(key: "bin", value: [0, 255, UInt8(index)])])))
        }
        reports += try await producer.send([
            KafkaOutgoingMessage(topic: topic, key: nil, value: "no-key"),
            KafkaOutgoingMessage(topic: topic, key: [], value: [], partition: 0),
        ])
        #expect(reports == (0..<5).map { KafkaDeliveryReport(topic: topic, partition: 0, offset: Int64($0)) })

        let blocking = try await onThread { try producer.sendAndWait([KafkaOutgoingMessage(topic: topic, key: "k5", value: "v5")], timeout: .seconds(10)) }
        #expect(blocking == [KafkaDeliveryReport(topic: topic, partition: 0, offset: 5)])
        try await onThread { try producer.flush(timeout: .seconds(5)) }

        let messages = try await onThread {
            let consumer = try KafkaConsumer(
                configuration: mock.configuration(), groupID: uniqueName("group"), rebalance: .fromBeginning, logger: logger)
            defer { consumer.close() }
            try consumer.subscribe(topics: [topic])
            return try poll(consumer, count: 6)
        }
        #expect(messages.map(\.offset) == [0, 1, 2, 3, 4, 5])
        #expect(messages.map { $0.key?.string } == ["key-0", "key-1", "key-2", nil, "", "k5"])
        #expect(messages.map(\.value.string) == ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "no-key", "", "v5"])
        #expect(messages[1].headers == [KafkaHeader(key: "type", string: "t1"), KafkaHeader(key: "bin", value: [0, 255, 1])])
        #expect(messages[3].headers == [])
        #expect(messages.allSatisfy { $0.topic == topic && $0.partition == 0 })
    }

    @Test func prepareReportsEachTopicsPartitionsAndSendsStillLand() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let three = uniqueName("three")
        let five = uniqueName("five")
        try mock.createTopic(three, partitions: 3)
        try mock.createTopic(five, partitions: 5)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)

        let partitions = try await onThread { try producer.prepare(topics: [three, five], timeout: .seconds(10)) }
        #expect(partitions == [three: 3, five: 5])
        let report = try await producer.send(KafkaOutgoingMessage(topic: five, key: nil, value: "v", partition: 4))
        #expect(report == KafkaDeliveryReport(topic: five, partition: 4, offset: 0))
    }

    @Test func prepareFailsWhenTheBrokerIsDown() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("down")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        try mock.setBrokerDown(1)
        await #expect(throws: KafkaError.self) {
            try await onThread { try producer.prepare(topics: [topic], timeout: .milliseconds(500)) }
        }
    }

    @Test func fullLocalQueueIsARetriableQueueFullError() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("queue")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: mock.configuration(properties: ["queue.buffering.max.messages": "1"]),
            lingerMilliseconds: 200, logger: logger)
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send([
                KafkaOutgoingMessage(topic: topic, key: "a", value: "1"),
                KafkaOutgoingMessage(topic: topic, key: "b", value: "2"),
            ])
        }
        #expect(error?.code == .queueFull)
        #expect(error?.isRetriable == true)
        #expect(error?.isFatal == false)
        // The first message was still delivered. Its queue slot is freed just after its report, so retry as a caller would.
        var report: KafkaDeliveryReport?
        for _ in 0..<100 where report == nil {
            do {
                report = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "c", value: "3"))
            } catch let error as KafkaError where error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(report == KafkaDeliveryReport(topic: topic, partition: 0, offset: 1))
    }

    @Test func injectedProduceErrorsAreRetriedAndDeliveredOnce() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("retry")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        mock.pushRequestErrors(api: .produce, errors: [.notLeaderForPartition, .notLeaderForPartition, .requestTimedOut])

        let report = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "once"))
        #expect(report == KafkaDeliveryReport(topic: topic, partition: 0, offset: 0))

        let admin = try KafkaAdmin(configuration: mock.configuration(), logger: logger)
        let marks = try await onThread { try admin.watermarks(topic: topic, partition: 0, timeout: .seconds(5)) }
        #expect(marks.low == 0)
        #expect(marks.high == 1)
    }

    @Test func brokerDownFailsRetriablyAndRecoversWhenUp() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let topic = uniqueName("down")
        try mock.createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(
            configuration: mock.configuration(properties: ["reconnect.backoff.max.ms": "200"]),
            deliveryTimeoutMilliseconds: 1500, logger: logger)

        #expect(try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "before")).offset == 0)

        try mock.setBrokerDown(1)
        let error = await #expect(throws: KafkaError.self) {
            _ = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "while-down"))
        }
        #expect(error?.code == .messageTimedOut)
        #expect(error?.isRetriable == true)
        #expect(error?.isFatal == false)

        try mock.setBrokerUp(1)
        let after = try await producer.send(KafkaOutgoingMessage(topic: topic, key: "k", value: "after"))
        #expect(after == KafkaDeliveryReport(topic: topic, partition: 0, offset: 1))
    }

    @Test func unknownPropertyThrowsNamingIt() throws {
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "x"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger())
        }
        #expect(error?.property == "no.such.property")
        #expect(error?.code == .invalidArgument)
        #expect(error?.isRetriable == false)
        #expect(error?.description.contains("no.such.property") == true)

        let consumerError = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: configuration, groupID: "g", rebalance: .fromBeginning, logger: testLogger())
        }
        #expect(consumerError?.property == "no.such.property")
    }
}
