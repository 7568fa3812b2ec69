import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Serves `/metrics` (Prometheus text) and `/healthz` on a port of its own, for roles without an HTTP server.
///
/// A `Service`: list it first in a `ServiceGroup`, so that on shutdown it stops last and the final
/// figures of the role's other services can still be scraped while they drain.
public struct MetricsEndpoint: Service {
    /// Listen address, e.g. `127.0.0.1` or `0.0.0.0` in a container.
    public let host: String
    /// Listen port.
    public let port: Int
    let registry: PrometheusCollectorRegistry
    let liveness: Liveness
    let logger: Logger

    /// - Parameters:
    ///   - registry: rendered by `/metrics`.
    ///   - liveness: `/healthz` answers 200 while it reports alive, 503 otherwise.
    public init(host: String, port: Int, registry: PrometheusCollectorRegistry, liveness: Liveness = .always, logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.liveness = liveness
        self.logger = logger
    }

    public func run() async throws {
        let app = Application(
            router: Self.router(registry: registry, liveness: liveness),
            configuration: .init(address: .hostname(host, port: port), serverName: "pipeline-metrics"),
            onServerRunning: { [logger, host] channel in
                logger.info("metrics endpoint listening", metadata: [
                    "host": "\(host)", "port": "\(channel.localAddress?.port ?? 0)"])
            },
            logger: logger)
        // The application inherits this service's graceful-shutdown context from the group.
        try await app.run()
    }

    /// The endpoint's routes, also what tests drive without sockets.
    public static func router(registry: PrometheusCollectorRegistry, liveness: Liveness) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ in
            let (alive, detail) = liveness.check()
            return Response(
                status: alive ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"\(alive ? "ok" : "stalled")\",\"detail\":\"\(detail)\"}")))
        }
        return router
    }
}
