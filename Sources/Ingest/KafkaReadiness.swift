import Foundation
import Kafka

/// Answers whether Kafka replies to a metadata request in time, without blocking the cooperative pool.
struct KafkaReadiness: Sendable {
    let admin: KafkaAdmin
    let timeout: Duration

    func isReady() async -> Bool {
        let admin = admin
        let timeout = timeout
        return await withCheckedContinuation { continuation in
            // listTopics blocks for up to `timeout`; a thread of its own keeps the pool free.
            let thread = Thread {
                continuation.resume(returning: (try? admin.listTopics(timeout: timeout)) != nil)
            }
            thread.start()
        }
    }
}
