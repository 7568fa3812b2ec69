import CRdKafka
import Foundation

/// A dedicated thread serving the producer's delivery reports, so rd_kafka_poll never blocks the cooperative pool.
// @unchecked Sendable: `stopRequested` and `finished` are guarded by `condition`; the client is thread-safe.
final class RDKafkaPollThread: @unchecked Sendable {
    private let client: RDKafkaClient
    private let condition = NSCondition()
    private var stopRequested = false
    private var finished = false

    init(client: RDKafkaClient) {
        self.client = client
    }

    func start() {
        // The thread holds this object (and so the client), never the producer, so the producer can deinit.
        let thread = Thread { [self] in run() }
        thread.name = "kafka-poll-\(client.name)"
        thread.start()
    }

    private var shouldStop: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    private func run() {
        while !shouldStop {
            rd_kafka_poll(client.handle, 100)
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Returns once the thread has left its last rd_kafka_poll (at most one poll interval).
    func stop() {
        condition.lock()
        stopRequested = true
        while !finished { condition.wait() }
        condition.unlock()
    }
}
