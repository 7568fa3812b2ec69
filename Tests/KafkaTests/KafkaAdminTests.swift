import Foundation
import Kafka
import Testing

@Suite struct KafkaAdminTests {
    @Test func createTopicsListTopicsAndWatermarks() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        let admin = try KafkaAdmin(configuration: mock.configuration(), logger: logger)
        let three = uniqueName("three")
        let two = uniqueName("two")
        let specs = [KafkaTopicSpec(name: three, partitions: 3), KafkaTopicSpec(name: two, partitions: 2)]
        let topics = try await onThread {
            try admin.createTopics(specs, timeout: .seconds(5))
            try admin.createTopics(specs, timeout: .seconds(5))  // Existing topics are not an error.
            return try admin.listTopics(timeout: .seconds(5))
        }
        #expect(topics[three] == 3)
        #expect(topics[two] == 2)

        let producer = try KafkaProducer(configuration: mock.configuration(), logger: logger)
        _ = try await producer.send((0..<7).map { KafkaOutgoingMessage(topic: three, key: nil, value: "v\($0)", partition: 1) })
        let (one, zero) = try await onThread {
            (try admin.watermarks(topic: three, partition: 1, timeout: .seconds(5)),
             try admin.watermarks(topic: three, partition: 0, timeout: .seconds(5)))
        }
        #expect(one.low == 0 && one.high == 7)
        #expect(zero.low == 0 && zero.high == 0)
    }

    /// Documents the 2.0.2 mock quirk: CreateTopics is not in its ApiVersions, so the request waits for a capable broker.
    @Test func createTopicsAgainstTheMockWithoutItsReferenceTimesOut() async throws {
        let logger = testLogger()
        let mock = try KafkaMockCluster(logger: logger)
        // Built from the address only, so the admin cannot fall back to the mock's topic API.
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: mock.bootstrapServers), logger: logger)
        let error = try await onThread { () -> KafkaError? in
            do {
                try admin.createTopics([KafkaTopicSpec(name: uniqueName("plain"), partitions: 1)], timeout: .milliseconds(500))
                return nil
            } catch let error as KafkaError {
                return error
            }
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isRetriable == true)
        withExtendedLifetime(mock) {}
    }
}
