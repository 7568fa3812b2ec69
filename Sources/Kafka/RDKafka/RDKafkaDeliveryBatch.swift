import Foundation

/// Collects the delivery reports of one send call, for either an async awaiter or a blocked thread.
// @unchecked Sendable: all mutable state is guarded by `condition`.
final class RDKafkaDeliveryBatch: @unchecked Sendable {
    typealias Outcome = Result<KafkaDeliveryReport, KafkaError>

    private let condition = NSCondition()
    private var outcomes: [Outcome?]
    private var remaining: Int
    private var continuation: CheckedContinuation<[Outcome], Never>?

    init(count: Int) {
        outcomes = Array(repeating: nil, count: count)
        remaining = count
    }

    func complete(_ index: Int, with outcome: Outcome) {
        condition.lock()
        precondition(outcomes[index] == nil, "delivery reported twice")
        outcomes[index] = outcome
        remaining -= 1
        var resume: CheckedContinuation<[Outcome], Never>?
        var result: [Outcome] = []
        if remaining == 0 {
            condition.broadcast()
            if let continuation {
                resume = continuation
                result = outcomes.map { $0! }
                self.continuation = nil
            }
        }
        condition.unlock()
        resume?.resume(returning: result)
    }

    /// Suspends (not blocks) until every report is in; a message handed to librdkafka cannot be recalled, so this ignores cancellation.
    func wait() async -> [Outcome] {
        await withCheckedContinuation { continuation in
            condition.lock()
            if remaining == 0 {
                let result = outcomes.map { $0! }
                condition.unlock()
                continuation.resume(returning: result)
            } else {
                self.continuation = continuation
                condition.unlock()
            }
        }
    }

    /// Blocks the calling thread; nil when the deadline passes first.
    func wait(until deadline: Date) -> [Outcome]? {
        condition.lock()
        defer { condition.unlock() }
        while remaining > 0 {
            if !condition.wait(until: deadline) && remaining > 0 { return nil }
        }
        return outcomes.map { $0! }
    }
}
