import Metrics

/// The server's counters, created through an injected factory so tests can read them without the global bootstrap.
public struct IngestMetrics: Sendable {
    let factory: any MetricsFactory

    /// - Parameter factory: where the counters live; the executable passes its bootstrapped Prometheus factory.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// `pipeline_ingest_requests_total{route,status}`; `route` is the route pattern, never the concrete path.
    func countRequest(route: String, status: Int) {
        Counter(label: "pipeline_ingest_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
            .increment()
    }

    /// `pipeline_ingest_events_total{topic}`: events durably in Kafka.
    func countEvents(topic: String, count: Int) {
        Counter(label: "pipeline_ingest_events_total", dimensions: [("topic", topic)], factory: factory)
            .increment(by: count)
    }
}
