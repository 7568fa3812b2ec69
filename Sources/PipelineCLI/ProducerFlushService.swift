import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Holds a role's producer while its other services run and flushes it once they have stopped
/// (listed first in the service group, so it is stopped last).
struct ProducerFlushService: Service {
    let producer: KafkaProducer
    let timeout: Duration
    let logger: Logger

    func run() async throws {
        // Nothing to do until shutdown; the services listed after this one stop first.
        try? await gracefulShutdown()
        let producer = producer
        let timeout = timeout
        do {
            // flush blocks: a thread of its own keeps the cooperative pool free.
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                Thread { continuation.resume(with: Result { try producer.flush(timeout: timeout) }) }.start()
            }
            logger.info("producer flushed")
        } catch {
            logger.error("producer flush incomplete", metadata: ["error": "\(error)"])
        }
    }
}
