/// How many messages the owner's next batch may hold: few right after it took the lease, so the
/// first batch commits within a second of the start (decoding and applying 20,000 envelopes take
/// about that long), then twice as many with each batch up to the configured most.
struct BatchRamp: Equatable {
    /// The configured most (`WorkerConfiguration.maxBatchMessages`).
    let maximum: Int
    /// The most the next batch may hold.
    private(set) var current: Int

    init(first: Int, maximum: Int) {
        self.maximum = max(1, maximum)
        current = min(max(1, first), self.maximum)
    }

    /// After a batch was applied: the next may hold twice as many, up to `maximum`.
    mutating func grow() {
        current = current > maximum / 2 ? maximum : current * 2
    }
}
