import Foundation

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
