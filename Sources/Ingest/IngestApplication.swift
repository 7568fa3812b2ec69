import Events
import Foundation
import Hummingbird
import Kafka
import Logging
import Prometheus

/// Builds the ingest server's router: webhook and tracker routes with durable acks, plus health, readiness and metrics.
public enum IngestApplication {
    /// - Parameters:
    ///   - producer: every answer 2xx waits for this producer's delivery reports; flush it after the server stops.
    ///   - admin: asked for metadata by `/readyz`.
    ///   - registry: rendered by `/metrics`.
    ///   - metrics: where the request and event counters are recorded (normally a factory over `registry`).
    ///   - chatAliases: Telegram chat migrations; pass a store opened on a state directory to keep them across restarts.
    ///   - now: the arrival clock (default: the system clock).
    public static func buildRouter(
        configuration: IngestConfiguration,
        producer: KafkaProducer,
        admin: KafkaAdmin,
        registry: PrometheusCollectorRegistry,
        metrics: IngestMetrics,
        logger: Logger,
        chatAliases: ChatAliasStore = ChatAliasStore(),
        now: (@Sendable () -> Instant)? = nil
    ) -> Router<BasicRequestContext> {
        let handlers = IngestHandlers(
            configuration: configuration,
            publisher: EventPublisher(producer: producer, topics: configuration.topics, metrics: metrics),
            readiness: KafkaReadiness(admin: admin, timeout: configuration.readinessTimeout),
            registry: registry,
            chatAliases: chatAliases,
            now: now ?? { Instant(date: Date()) })
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RequestLoggingMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.get("/gc/{project}/{kind}", use: handlers.getCourseCallback)
        router.post("/gc/{project}/{kind}", use: handlers.getCourseCallback)
        router.post("/gc/{project}/deals", use: handlers.getCourseDeal)
        router.get("/gc/{project}/learning/{kind}", use: handlers.getCourseLearning)
        router.post("/gc/{project}/learning/{kind}", use: handlers.getCourseLearning)
        router.post("/learning/{project}", use: handlers.learning)
        router.post("/mail/{project}/unisender-go", use: handlers.unisenderGo)
        router.post("/mail/{project}/sendgrid", use: handlers.sendGrid)
        router.post("/telegram/{project}", use: handlers.telegram)
        router.get("/c/{project}/{link}", use: handlers.click)
        router.get("/healthz", use: handlers.health)
        router.get("/readyz", use: handlers.ready)
        router.get("/metrics", use: handlers.metrics)
        return router
    }

    /// The (method, path) pairs a router answers, for checking against `schemas/openapi.yaml`.
    public static func routes(of router: Router<BasicRequestContext>) -> Set<IngestRoute> {
        Set(router.routes.map { IngestRoute(method: $0.method.rawValue, path: $0.path.description) })
    }
}

extension Instant {
    init(date: Date) {
        self.init(microsecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
