import Foundation
import Kafka
import Logging

/// Quiet by default; set KAFKA_TEST_LOG=debug to see librdkafka's lines.
func testLogger(_ label: String = "kafka-tests") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    return logger
}

/// Unique per test so tests can run in parallel against their own mock cluster and still never collide.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// Runs blocking librdkafka calls on a thread of their own, keeping the cooperative pool free.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// Polls until `count` messages arrived or the deadline passed.
func poll(_ consumer: KafkaConsumer, count: Int, within limit: Duration = .seconds(20), batchSize: Int = 100) throws -> [KafkaMessage] {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    var messages: [KafkaMessage] = []
    while messages.count < count && clock.now < deadline {
        messages += try consumer.pollBatch(maxMessages: min(batchSize, count - messages.count), timeout: .milliseconds(200))
    }
    return messages
}

/// A thread-safe box for values written by rebalance handlers and read by the test.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func update(_ body: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body(&stored)
    }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}
