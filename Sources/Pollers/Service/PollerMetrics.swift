import Metrics

/// What the pollers report through swift-metrics; every series exists from the start, at zero.
public struct PollerMetrics: Sendable {
    /// Polls per `source` and `outcome` (`success`, `failure`).
    public static let runs = "pipeline_poll_runs_total"
    /// Rows fetched (ad-stats rows produced, or currency rates stored) per `source`.
    public static let rows = "pipeline_poll_rows_total"
    /// Unix time of the latest successful poll per `source`; 0 until the first.
    public static let lastSuccess = "pipeline_poll_last_success_seconds"

    private let factory: any MetricsFactory

    /// Creates the series of every source now, so that dashboards and alerts see zeros, not gaps.
    public init(sources: [String], factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        for source in sources {
            _ = Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "success")], factory: factory)
            _ = Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "failure")], factory: factory)
            _ = Counter(label: Self.rows, dimensions: [("source", source)], factory: factory)
            Gauge(label: Self.lastSuccess, dimensions: [("source", source)], factory: factory).record(0)
        }
    }

    /// One successful poll of `rows` rows, finished at unix time `seconds`.
    public func success(source: String, rows: Int, atUnixSeconds seconds: Double) {
        Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "success")], factory: factory).increment()
        Counter(label: Self.rows, dimensions: [("source", source)], factory: factory).increment(by: rows)
        Gauge(label: Self.lastSuccess, dimensions: [("source", source)], factory: factory).record(seconds)
    }

    /// One failed poll (all its attempts spent, or an error that retrying cannot fix).
    public func failure(source: String) {
        Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "failure")], factory: factory).increment()
    }
}
