import ArgumentParser
import Events
import Foundation
import Kafka
import Logging
import MetricsEndpoint
import Metrics
import Pollers
import Prometheus
import ServiceLifecycle

/// `pipeline poll`: the ad-spend pollers (into Kafka) and the currency poller (into PostgreSQL).
struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Poll the ad networks' statistics into Kafka and the Bank of Russia's rates into pipeline.fx_rates.",
        discussion: """
            A network is polled only when its credentials are in the environment: \
            \(EnvironmentVariable.yandexDirectToken) (+ \(EnvironmentVariable.yandexDirectClientLogin) for agency accounts), \
            \(EnvironmentVariable.vkAdsToken), \(EnvironmentVariable.metaToken) + \(EnvironmentVariable.metaAdAccountID), \
            \(EnvironmentVariable.googleAdsDeveloperToken) + \(EnvironmentVariable.googleAdsAccessToken) + \
            \(EnvironmentVariable.googleAdsCustomerID). Currency rates are polled when \(EnvironmentVariable.databaseURL) \
            is set, unless --no-fx-rates. Runs until SIGTERM/SIGINT, or polls everything once with --once \
            (exit status 1 when any poll failed).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The project (school) the ad_stats events belong to.")
    var project: String

    @Flag(help: "Poll every configured source once, then exit (for cron and tests).")
    var once = false

    @Flag(inversion: .prefixedNo, help: "Poll the Bank of Russia's daily rates into pipeline.fx_rates (needs DATABASE_URL).")
    var fxRates = true

    // Yandex Direct
    @Option(help: "Yandex Direct API base URL (sandbox: https://api-sandbox.direct.yandex.com).")
    var yandexDirectURL = "https://api.direct.yandex.com"
    @Option(help: "Yandex Direct account currency (ISO 4217).")
    var yandexDirectCurrency = "RUB"
    @Option(help: "Yandex Direct: days re-read per poll, today included (statistics settle within 3 days).")
    var yandexDirectDays = 4
    @Option(help: "Yandex Direct: seconds between polls.")
    var yandexDirectInterval = 3600
    @Flag(help: "Yandex Direct: ask for money as decimals (returnMoneyInMicros: false) instead of micros.")
    var yandexDirectDecimalMoney = false
    @Flag(help: "Yandex Direct: spend including VAT (IncludeVAT: YES).")
    var yandexDirectIncludeVAT = false

    // VK Ads
    @Option(help: "VK Ads API base URL.")
    var vkAdsURL = "https://ads.vk.com"
    @Option(help: "VK Ads account id written into the rows (the token's own account).")
    var vkAdsAccountID = "default"
    @Option(help: "VK Ads account currency (ISO 4217).")
    var vkAdsCurrency = "RUB"
    @Option(help: "VK Ads: days re-read per poll, today included.")
    var vkAdsDays = 7
    @Option(help: "VK Ads: seconds between polls.")
    var vkAdsInterval = 3600

    // Meta
    @Option(help: "Meta Graph API base URL.")
    var metaURL = "https://graph.facebook.com"
    @Option(help: "Meta Graph API version (vNN.0).")
    var metaAPIVersion = MetaInsightsClient.defaultAPIVersion
    @Option(help: "Meta: days re-read per poll, today included (insights settle after 28 days).")
    var metaDays = 28
    @Option(help: "Meta: seconds between polls.")
    var metaInterval = 3600
    @Option(help: "Meta ad account time zone (days are cut in it).")
    var metaTimeZone = "Europe/Moscow"

    // Google Ads
    @Option(help: "Google Ads API base URL.")
    var googleAdsURL = "https://googleads.googleapis.com"
    @Option(help: "Google Ads API version (vNN).")
    var googleAdsAPIVersion = GoogleAdsClient.defaultAPIVersion
    @Option(help: "Google Ads manager (MCC) account the access goes through (login-customer-id), if any.")
    var googleAdsLoginCustomerID: String?
    @Option(help: "Google Ads: seconds between polls (each re-reads the current and previous month).")
    var googleAdsInterval = 3600
    @Option(help: "Google Ads account time zone (days are cut in it).")
    var googleAdsTimeZone = "Europe/Moscow"

    // Currency rates
    @Option(help: "Bank of Russia base URL (XML_daily.asp lives under /scripts).")
    var cbrURL = "https://www.cbr.ru"
    @Option(help: "Currency rates: days re-read per poll, today included (tomorrow is always asked too).")
    var fxDays = 7
    @Option(help: "Currency rates: seconds between polls.")
    var fxInterval = 3600

    // Operations
    @Option(help: "Address of the /metrics endpoint (not served with --once).")
    var metricsHost = "127.0.0.1"
    @Option(help: "Port of the /metrics endpoint; 0 turns it off.")
    var metricsPort = 9102
    @Option(help: "Longest wait for polls in flight on SIGTERM/SIGINT, in seconds.")
    var shutdownTimeout = 30

    func run() async throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.poll")
        let environment = ProcessInfo.processInfo.environment
        guard !project.isEmpty else { throw ValidationError("--project: must not be empty") }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let clock = SystemPollerClock()
        let transport = URLSessionTransport()

        let clients = try adNetworkClients(environment: environment, transport: transport, clock: clock)
        let fxEnabled = fxRates && !settings.databaseURL.isEmpty
        if clients.isEmpty && !fxEnabled {
            throw ValidationError(
                "nothing to poll: set the credentials of at least one network (see `pipeline poll --help`) or \(EnvironmentVariable.databaseURL) for currency rates")
        }
        let metrics = PollerMetrics(sources: clients.map(\.client.source) + (fxEnabled ? [CBRRatesPoller.source] : []))
        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        let pollers = clients.map {
            AdNetworkPoller(
                client: $0.client, schedule: $0.schedule, project: project, topics: settings.topics, producer: producer,
                clock: clock, metrics: metrics, logger: logger)
        }
        let adStats = AdStatsPollerService(pollers: pollers, logger: logger)
        let fx = fxEnabled
            ? CBRRatesPoller(
                configuration: .init(
                    baseURL: try url(cbrURL, option: "--cbr-url"), trailingDays: fxDays, interval: .seconds(fxInterval),
                    databaseURL: settings.databaseURL),
                transport: transport, clock: clock, metrics: metrics, logger: logger)
            : nil
        logger.info("polling", metadata: [
            "project": "\(project)", "sources": "\(clients.map(\.client.source) + (fxEnabled ? [CBRRatesPoller.source] : []))",
        ])

        if once {
            var failed = try await adStats.pollOnce().filter { if case .failure = $0.value { true } else { false } }.map(\.key)
            if let fx, try await fx.pollOnce() == nil { failed.append(CBRRatesPoller.source) }
            try await flush(producer)
            if !failed.isEmpty {
                FileHandle.standardError.write(Data("poll failed for: \(failed.sorted().joined(separator: ", "))\n".utf8))
                throw ExitCode(1)
            }
            return
        }

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ProducerFlushService(producer: producer, timeout: .seconds(shutdownTimeout), logger: logger)),
        ]
        if metricsPort != 0 {
            services.append(.init(service: MetricsEndpoint(host: metricsHost, port: metricsPort, registry: registry, logger: logger)))
        }
        services.append(.init(service: adStats))
        if let fx { services.append(.init(service: fx)) }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(shutdownTimeout + 5)
        try await ServiceGroup(configuration: groupConfiguration).run()
    }

    /// The clients whose credentials are set, each with its schedule.
    func adNetworkClients(environment: [String: String], transport: any HTTPTransport, clock: any PollerClock) throws
        -> [(client: any AdNetworkClient, schedule: AdNetworkSchedule)]
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var clients: [(client: any AdNetworkClient, schedule: AdNetworkSchedule)] = []
        if let token = value(EnvironmentVariable.yandexDirectToken) {
            let client = YandexDirectClient(
                configuration: .init(
                    token: token, clientLogin: value(EnvironmentVariable.yandexDirectClientLogin),
                    currency: try currency(yandexDirectCurrency, option: "--yandex-direct-currency"),
                    baseURL: try url(yandexDirectURL, option: "--yandex-direct-url"), moneyInMicros: !yandexDirectDecimalMoney,
                    includeVAT: yandexDirectIncludeVAT),
                transport: transport, clock: clock)
            var schedule = AdNetworkSchedule.defaults(for: client.source)
            schedule.window = .trailingDays(try positive(yandexDirectDays, option: "--yandex-direct-days"))
            schedule.interval = .seconds(try positive(yandexDirectInterval, option: "--yandex-direct-interval"))
            clients.append((client, schedule))
        }
        if let token = value(EnvironmentVariable.vkAdsToken) {
            let client = VKAdsClient(
                configuration: .init(
                    token: token, accountID: vkAdsAccountID, currency: try currency(vkAdsCurrency, option: "--vk-ads-currency"),
                    baseURL: try url(vkAdsURL, option: "--vk-ads-url")),
                transport: transport)
            var schedule = AdNetworkSchedule.defaults(for: client.source)
            schedule.window = .trailingDays(try positive(vkAdsDays, option: "--vk-ads-days"))
            schedule.interval = .seconds(try positive(vkAdsInterval, option: "--vk-ads-interval"))
            clients.append((client, schedule))
        }
        if let token = value(EnvironmentVariable.metaToken) {
            guard let account = value(EnvironmentVariable.metaAdAccountID) else {
                throw ValidationError("\(EnvironmentVariable.metaToken) is set but \(EnvironmentVariable.metaAdAccountID) is not: Meta needs both")
            }
            let client: MetaInsightsClient
            do {
                client = try MetaInsightsClient(
                    adAccountID: account, accessToken: token, apiVersion: metaAPIVersion, baseURL: try url(metaURL, option: "--meta-url"),
                    transport: transport, clock: clock)
            } catch let error as PollError {
                throw ValidationError("Meta (\(EnvironmentVariable.metaAdAccountID), \(EnvironmentVariable.metaToken), --meta-api-version): \(error)")
            }
            var schedule = AdNetworkSchedule.defaults(for: client.source, timeZone: try zone(metaTimeZone, option: "--meta-time-zone"))
            schedule.window = .trailingDays(try positive(metaDays, option: "--meta-days"))
            schedule.interval = .seconds(try positive(metaInterval, option: "--meta-interval"))
            clients.append((client, schedule))
        }
        let googleVariables = [
            EnvironmentVariable.googleAdsDeveloperToken, EnvironmentVariable.googleAdsAccessToken, EnvironmentVariable.googleAdsCustomerID,
        ]
        let googleSet = googleVariables.filter { value($0) != nil }
        if !googleSet.isEmpty {
            guard googleSet.count == googleVariables.count else {
                throw ValidationError("Google Ads needs all of \(googleVariables.joined(separator: ", ")); missing: \(googleVariables.filter { value($0) == nil }.joined(separator: ", "))")
            }
            let client: GoogleAdsClient
            do {
                client = try GoogleAdsClient(
                    customerID: value(EnvironmentVariable.googleAdsCustomerID)!,
                    developerToken: value(EnvironmentVariable.googleAdsDeveloperToken)!,
                    accessToken: value(EnvironmentVariable.googleAdsAccessToken)!,
                    loginCustomerID: googleAdsLoginCustomerID, apiVersion: googleAdsAPIVersion,
                    baseURL: try url(googleAdsURL, option: "--google-ads-url"), transport: transport)
            } catch let error as PollError {
                throw ValidationError("Google Ads (\(googleVariables.joined(separator: ", ")), --google-ads-login-customer-id, --google-ads-api-version): \(error)")
            }
            var schedule = AdNetworkSchedule.defaults(for: client.source, timeZone: try zone(googleAdsTimeZone, option: "--google-ads-time-zone"))
            schedule.interval = .seconds(try positive(googleAdsInterval, option: "--google-ads-interval"))
            clients.append((client, schedule))
        }
        return clients
    }

    private func zone(_ identifier: String, option: String) throws -> TimeZone {
        guard let zone = TimeZone(identifier: identifier) else { throw ValidationError("\(option): unknown time zone \"\(identifier)\"") }
        return zone
    }

    private func url(_ text: String, option: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme, scheme == "http" || scheme == "https", url.host != nil else {
            throw ValidationError("\(option): must be an http(s) URL, got \"\(text)\"")
        }
        return url
    }

    private func currency(_ text: String, option: String) throws -> String {
        guard text.utf8.count == 3, text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
            throw ValidationError("\(option): must be 3 uppercase letters (ISO 4217), got \"\(text)\"")
        }
        return text
    }

    private func positive(_ value: Int, option: String) throws -> Int {
        guard value > 0 else { throw ValidationError("\(option): must be a positive number, got \(value)") }
        return value
    }

    private func flush(_ producer: KafkaProducer) async throws {
        let timeout = Duration.seconds(shutdownTimeout)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            Thread { continuation.resume(with: Result { try producer.flush(timeout: timeout) }) }.start()
        }
    }
}
