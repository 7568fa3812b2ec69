import Foundation

/// Time for the Export API's waits: real in the command, a test clock in tests (no test sleeps for real).
public protocol BackfillClock: Sendable {
    /// Seconds on a monotonic scale.
    func now() async -> Double
    func sleep(seconds: Double) async throws
}

/// The real clock: `ContinuousClock`.
public struct SystemBackfillClock: BackfillClock {
    private let origin = ContinuousClock.now

    public init() {}

    public func now() async -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
    }
}

/// GetCourse counts every export request (creating and polling) against 100 per 2 hours (INPUTS.md §1.4):
/// before a request, wait until the oldest of the last `limit` requests has left the window.
public actor RequestBudget {
    public let limit: Int
    public let windowSeconds: Double
    private var sent: [Double] = []

    public init(limit: Int = 100, windowSeconds: Double = 7200) {
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// How long to wait before a request at `time` keeps within the limit (0 when it may go now).
    public func delay(at time: Double) -> Double {
        sent.removeAll { $0 <= time - windowSeconds }
        guard sent.count >= limit else { return 0 }
        return sent[sent.count - limit] + windowSeconds - time
    }

    /// Records a request made at `time`.
    public func record(at time: Double) {
        sent.append(time)
    }
}
