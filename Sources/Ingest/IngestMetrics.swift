import Metrics
import Synchronization

/// The server's counters, created through an injected factory so tests can read them without the global bootstrap.
public struct IngestMetrics: Sendable {
    let factory: any MetricsFactory
    /// Counters made once per label set and reused: making one asks the factory (a locked registry lookup) every time.
    private let requests = CounterCache<RequestKey>()
    private let events = CounterCache<String>()

    /// - Parameter factory: where the counters live; the executable passes its bootstrapped Prometheus factory.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// `pipeline_ingest_requests_total{route,status}`; `route` is the route pattern, never the concrete path.
    func countRequest(route: String, status: Int) {
        requests.counter(for: RequestKey(route: route, status: status)) {
            Counter(label: "pipeline_ingest_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory)
        }.increment()
    }

    /// `pipeline_ingest_events_total{topic}`: events durably in Kafka.
    func countEvents(topic: String, count: Int) {
        events.counter(for: topic) {
            Counter(label: "pipeline_ingest_events_total", dimensions: [("topic", topic)], factory: factory)
        }.increment(by: count)
    }

    private struct RequestKey: Hashable, Sendable {
        let route: String
        let status: Int
    }
}

/// Counters by label values; the values come from route patterns, status codes and topics, so the set stays small.
private final class CounterCache<Key: Hashable & Sendable>: Sendable {
    private let counters = Mutex<[Key: Counter]>([:])

    func counter(for key: Key, make: () -> Counter) -> Counter {
        counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = make()
            counters[key] = counter
            return counter
        }
    }
}
