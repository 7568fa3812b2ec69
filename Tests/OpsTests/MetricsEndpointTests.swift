import Foundation
import Hummingbird
import HummingbirdTesting
import MetricsEndpoint
import Prometheus
import Testing

@Suite("metrics endpoint")
struct MetricsEndpointTests {
    /// A clock the test steps by hand.
    final class ManualUptime: @unchecked Sendable {
        // Safe: only the test's own task reads and writes it, one step at a time.
        var now: Duration = .zero
    }

    @Test("/metrics renders the registry; /healthz follows the loop's beats")
    func routes() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "pipeline", metricName: "test", unitName: "total", helpText: ""), labels: [("topic", "school.clicks")]).increment(by: Int64(3))
        let uptime = ManualUptime()
        let liveness = Liveness(allowedSilence: .seconds(120)) { uptime.now }
        let app = Application(router: MetricsEndpoint.router(registry: registry, liveness: liveness))
        try await app.test(.router) { client in
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(String(buffer: metrics.body).contains("pipeline_test_total{topic=\"school.clicks\"} 3"))

            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            uptime.now = .seconds(120)  // exactly the allowed silence: still alive
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            uptime.now = .seconds(121)
            let stalled = try await client.execute(uri: "/healthz", method: .get)
            #expect(stalled.status == .serviceUnavailable)
            #expect(String(buffer: stalled.body) == #"{"status":"stalled","detail":"last loop turn 121 s ago"}"#)
            liveness.beat()
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test("a role without a loop to watch is always alive")
    func alwaysAlive() {
        #expect(Liveness.always.check().alive)
    }
}
