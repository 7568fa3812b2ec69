import ArgumentParser
import Dispatch
import Events
import Foundation
import Hummingbird
import Ingest
import Kafka
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `pipeline ingest`: the HTTP server that turns webhooks, Telegram updates and tracked links into events in Kafka.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Serve webhooks and tracked links; answer 2xx only once their events are durably in Kafka.",
        discussion: """
            Projects come from the environment: \(EnvironmentVariable.projectPrefix)<NAME>_SALT (required per project), \
            _SECRET, _TELEGRAM_SECRET, _UNISENDER_KEY, _SENDGRID_KEY, _ALLOWED_HOSTS (comma list); \
            <NAME> is the project name upper-cased with "-" as "_".
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Listen address.")
    var host: String = "127.0.0.1"

    @Option(help: "Listen port.")
    var port: Int = 8080

    @Option(help: "Largest request body accepted, in bytes.")
    var maxBodyBytes: Int = 1 << 20

    @Option(help: ArgumentHelp(
        "Directory for state that must survive a restart (Telegram chat migrations, in telegram-chat-aliases.json).",
        discussion: "Without it the migrations are kept in memory only and forgotten on restart."))
    var stateDir: String?

    @Option(help: "Longest wait for in-flight requests and the producer's flush on SIGTERM/SIGINT, in seconds.")
    var shutdownTimeout: Int = 30

    @Option(help: ArgumentHelp(
        "How long the producer holds a message to batch it with others (librdkafka linger.ms), in milliseconds.",
        discussion: """
            Every answer waits for its delivery report, so this adds to each request's latency. Under load, \
            messages batch anyway while earlier produce requests are in flight; 1 ms still gathers what arrives \
            together (about 5 messages per request at 5,000 req/s) where 0 sends each alone, costing the broker \
            and the producer's I/O thread more. With a fixed number of client connections, latency also caps \
            throughput: librdkafka's usual 5 ms held 64 connections under ~9,000 req/s.
            """))
    var lingerMs: Int = 1

    func validate() throws {
        // librdkafka's own bounds for linger.ms, named here rather than as a configuration failure at startup.
        guard (0...900_000).contains(lingerMs) else { throw ValidationError("--linger-ms: must be 0 to 900000, got \(lingerMs)") }
    }

    func run() async throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.ingest")
        let projects = try Self.projects(
            from: ProcessInfo.processInfo.environment,
            timeZones: settings.projects.projects.mapValues(\.timeZone), defaultTimeZone: settings.projects.defaults.timeZone)
        if projects.isEmpty {
            logger.warning("no project configured: every webhook will be refused (set \(EnvironmentVariable.projectPrefix)<NAME>_SALT and friends)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let configuration = IngestConfiguration(
            host: host, port: port, maxBodyBytes: maxBodyBytes, projects: projects, topics: settings.topics)
        let chatAliases: ChatAliasStore
        if let stateDir {
            chatAliases = try ChatAliasStore(stateDirectory: URL(fileURLWithPath: stateDir))
        } else {
            logger.warning("no --state-dir: Telegram chat migrations are kept in memory only and forgotten on restart")
            chatAliases = ChatAliasStore()
        }
        let producer = try KafkaProducer(configuration: settings.kafka, lingerMilliseconds: lingerMs, logger: logger)
        // A cold producer holds the first message to each topic until its once-a-second scan fetches the topic's
        // metadata (~1 s of stalled webhooks after every start). Fetch it now, on a thread of its own and without
        // delaying the server: if Kafka is down, /readyz says so and the first sends wait as before.
        let topics = settings.topics.eventTopics
        Thread {
            do {
                try producer.prepare(topics: topics, timeout: .seconds(10))
            } catch {
                logger.warning("topic metadata not fetched at startup; the first message to each topic waits for it", metadata: ["error": "\(error)"])
            }
        }.start()
        let router = IngestApplication.buildRouter(
            configuration: configuration, producer: producer,
            admin: try KafkaAdmin(configuration: settings.kafka, logger: logger),
            registry: registry, metrics: IngestMetrics(), logger: logger, chatAliases: chatAliases)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "pipeline-ingest"),
            logger: logger)
        // Shut down in reverse order: the server drains its in-flight requests first, then the producer flushes.
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: ProducerFlushService(producer: producer, timeout: .seconds(shutdownTimeout), logger: logger)),
                .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(shutdownTimeout + 5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// Credentials of every project named by a `PIPELINE_PROJECT_<NAME>_*` variable, keyed by `<NAME>`.
    ///
    /// - Throws: `ValidationError` when a project has no salt: hashing personal data without one would make it reversible.
    static func projects(from environment: [String: String], timeZones: [String: TimeZone], defaultTimeZone: TimeZone)
        throws -> [String: ProjectCredentials]
    {
        // Longest first, so that `_TELEGRAM_SECRET` is not read as `_SECRET` of a project named `X_TELEGRAM`.
        let suffixes = EnvironmentVariable.projectSuffixes.sorted { $0.count > $1.count }
        var found: [String: [String: String]] = [:]
        for (name, value) in environment where name.hasPrefix(EnvironmentVariable.projectPrefix) {
            let rest = name.dropFirst(EnvironmentVariable.projectPrefix.count)
            guard let suffix = suffixes.first(where: { rest.hasSuffix($0) && rest.count > $0.count }) else { continue }
            found[String(rest.dropLast(suffix.count)), default: [:]][suffix] = value
        }
        var zoneByName: [String: TimeZone] = [:]
        for (project, zone) in timeZones {
            if let name = ProjectCredentials.environmentName(of: project) { zoneByName[name] = zone }
        }
        var projects: [String: ProjectCredentials] = [:]
        for (name, values) in found {
            func value(_ suffix: String) -> String? { values[suffix].flatMap { $0.isEmpty ? nil : $0 } }
            guard let salt = value(EnvironmentVariable.projectSaltSuffix) else {
                throw ValidationError("\(EnvironmentVariable.projectPrefix)\(name)\(EnvironmentVariable.projectSaltSuffix): missing; every project needs a personal-data salt")
            }
            projects[name] = ProjectCredentials(
                secret: value(EnvironmentVariable.projectSecretSuffix),
                salt: salt,
                telegramSecret: value(EnvironmentVariable.projectTelegramSecretSuffix),
                unisenderKey: value(EnvironmentVariable.projectUnisenderKeySuffix),
                sendgridKey: value(EnvironmentVariable.projectSendGridKeySuffix),
                linkSecret: value(EnvironmentVariable.projectLinkSecretSuffix),
                learningSecret: value(EnvironmentVariable.projectLearningSecretSuffix),
                allowedHosts: (value(EnvironmentVariable.projectAllowedHostsSuffix) ?? "")
                    .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                timeZone: zoneByName[name] ?? defaultTimeZone)
        }
        return projects
    }
}
