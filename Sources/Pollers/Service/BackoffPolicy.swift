/// How long to wait before retrying a transient failure: exponential, capped, with jitter so that
/// pollers restarted together do not hammer an API in step.
public struct BackoffPolicy: Sendable, Hashable {
    /// The base delay before the first retry. Default 5 s.
    public var initial: Duration
    /// The largest base delay. Default 5 min.
    public var maximum: Duration
    /// Attempts per poll, the first included, before the poll counts as failed. Default 5.
    public var maxAttempts: Int

    public init(initial: Duration = .seconds(5), maximum: Duration = .seconds(300), maxAttempts: Int = 5) {
        self.initial = initial
        self.maximum = maximum
        self.maxAttempts = max(1, maxAttempts)
    }

    public static let `default` = BackoffPolicy()

    /// The wait after failed attempt number `attempt` (1-based): base = min(maximum, initial × 2^(attempt−1)),
    /// then "equal jitter": half the base plus `jitter` (in 0..<1) times the other half.
    public func delay(afterAttempt attempt: Int, jitter: Double) -> Duration {
        var base = initial
        for _ in 1..<max(attempt, 1) {
            base = base * 2
            if base >= maximum { break }
        }
        base = min(base, maximum)
        let half = base / 2
        return half + half * min(max(jitter, 0), 1)
    }
}
