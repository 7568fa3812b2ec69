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

            With --accounts FILE, the accounts come from that JSON file instead: any number of projects, each \
            with any number of accounts per network, secrets named by environment variable (see docs/pollers.md). \
            Renewed tokens are kept in --state-dir. A Meta account with app_id_env and app_secret_env has its \
            token's expiry and validity asked of the Graph API (debug_token). --check tries every account once \
            (nothing is produced to Kafka) and prints a table on standard output: account, network, ok or \
            FAILED with the error, token expiry; exit status 0 when every account is ok, 1 when any failed. \
            --since/--until load a past range of ad statistics and exit.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The project (school) the ad_stats events belong to (the single-account flags; not with --accounts).")
    var project: String?

    @Option(name: .customLong("accounts"), help: "JSON file of projects and their ad accounts per network (secrets by environment variable name).")
    var accountsFile: String?

    @Option(help: "Directory for renewed tokens (0600 files) and history progress.")
    var stateDir = "/var/lib/pipeline/poll"

    @Flag(help: "Try every configured account once, print a table (account, network, ok or the error, token expiry), exit 1 if any failed.")
    var check = false

    @Option(help: "Load ad statistics from this day (YYYY-MM-DD) up to --until (default: today), then exit.")
    var since: String?

    @Option(help: "The last day of --since (YYYY-MM-DD).")
    var until: String?

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
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let clock = SystemPollerClock()
        let transport = URLSessionTransport()

        // Either the configuration file's accounts, or the single-account flags and environment.
        let accounts: [PollerAccount]
        let clients: [(client: any AdNetworkClient, schedule: AdNetworkSchedule)]
        let project: String
        if let config = accountsFile {
            guard self.project == nil else { throw ValidationError("--project: not with --accounts (the file names the projects)") }
            let configuration: PollerConfiguration
            do {
                guard let data = FileManager.default.contents(atPath: config) else { throw PollError.configuration("cannot read the file") }
                configuration = try PollerConfiguration.decode(data)
            } catch {
                throw ValidationError("--accounts \(config): \(error)")
            }
            let store = TokenStore(directory: URL(fileURLWithPath: stateDir).appendingPathComponent("tokens"))
            do {
                accounts = try PollerAccount.accounts(of: configuration, environment: environment, transport: transport, clock: clock, store: store)
            } catch {
                throw ValidationError("--accounts \(config): \(error)")
            }
            clients = []
            project = configuration.projects.map(\.project).joined(separator: ",")
        } else {
            guard let given = self.project, !given.isEmpty else { throw ValidationError("--project: must be given and not empty (or use --accounts)") }
            project = given
            clients = try adNetworkClients(environment: environment, transport: transport, clock: clock)
            accounts = []
        }
        let history = try historyRange(clock: clock)
        if check {
            let checked = clients.map {
                PollerAccount(project: project, source: $0.client.source, account: "default", client: $0.client, schedule: $0.schedule,
                              tokens: FixedAccessToken(""))
            }
            let results = await AccountCheck.run(accounts + checked, clock: clock)
            FileHandle.standardOutput.write(Data(AccountCheck.table(results).utf8))
            if results.isEmpty { throw ValidationError("nothing to check: no account is configured") }
            if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
            return
        }
        let fxEnabled = fxRates && !settings.databaseURL.isEmpty && history == nil
        if clients.isEmpty && accounts.isEmpty && !fxEnabled {
            throw ValidationError(
                "nothing to poll: set the credentials of at least one network (see `pipeline poll --help`) or \(EnvironmentVariable.databaseURL) for currency rates")
        }
        let sources = Array(Set(clients.map(\.client.source) + accounts.map(\.source))).sorted()
        let metrics = PollerMetrics(sources: sources + (fxEnabled ? [CBRRatesPoller.source] : []))
        var tokenStates: [PollerMetrics.AccountLabels: TokenStatus] = [:]
        for account in accounts {
            tokenStates[PollerMetrics.AccountLabels(project: account.project, source: account.source, account: account.account)] = await account.tokens.status()
        }
        // The flags' single accounts get the per-account series too, so the account alerts watch them as well.
        let legacyLabels = clients.map { PollerMetrics.AccountLabels(project: project, source: $0.client.source, account: Self.accountID(of: $0.client)) }
        metrics.register(
            accounts: accounts.map { PollerMetrics.AccountLabels(project: $0.project, source: $0.source, account: $0.account) } + legacyLabels,
            tokens: tokenStates)
        let producer = try KafkaProducer(configuration: settings.kafka, logger: logger)
        let pollers = clients.map {
            AdNetworkPoller(
                client: $0.client, schedule: $0.schedule, project: project, topics: settings.topics, producer: producer,
                clock: clock, metrics: metrics, logger: logger, account: Self.accountID(of: $0.client))
        } + accounts.map {
            AdNetworkPoller(account: $0, topics: settings.topics, producer: producer, clock: clock, metrics: metrics, logger: logger)
        }
        if let history {
            let store = HistoryLoad.ProgressStore(directory: URL(fileURLWithPath: stateDir).appendingPathComponent("history"))
            let failed = await withTaskGroup(of: String?.self) { group in
                for poller in pollers {
                    group.addTask {
                        var poller = poller
                        let outcome = try? await HistoryLoad.run(&poller, range: history, store: store) { line in
                            FileHandle.standardError.write(Data((line + "\n").utf8))
                        }
                        if case .success? = outcome { return nil }
                        return poller.name
                    }
                }
                var failed: [String] = []
                for await name in group { if let name { failed.append(name) } }
                return failed
            }
            try await flush(producer)
            if !failed.isEmpty {
                FileHandle.standardError.write(Data("history failed for: \(failed.sorted().joined(separator: ", ")) (run again to resume)\n".utf8))
                throw ExitCode(1)
            }
            return
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
            "project": "\(project)", "sources": "\(sources + (fxEnabled ? [CBRRatesPoller.source] : []))",
            "accounts": "\(accounts.count)",
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

    /// The rows' `account_id` of a client made from the flags.
    static func accountID(of client: any AdNetworkClient) -> String {
        switch client {
        case let client as YandexDirectClient: client.accountID
        case let client as VKAdsClient: client.configuration.accountID
        case let client as MetaInsightsClient: client.accountID
        case let client as GoogleAdsClient: client.customerID
        default: "default"
        }
    }

    /// `--since`/`--until` as days, or nil without `--since`.
    func historyRange(clock: any PollerClock) throws -> ClosedRange<LocalDate>? {
        guard let since else {
            if until != nil { throw ValidationError("--until: only with --since") }
            return nil
        }
        guard let first = LocalDate(since) else { throw ValidationError("--since: must be YYYY-MM-DD, got \"\(since)\"") }
        let last: LocalDate
        if let until {
            guard let day = LocalDate(until) else { throw ValidationError("--until: must be YYYY-MM-DD, got \"\(until)\"") }
            last = day
        } else {
            last = LocalDate(clock.now(), in: TimeZone(identifier: "Europe/Moscow")!)
        }
        guard first <= last else { throw ValidationError("--since \(first) is after --until \(last)") }
        return first...last
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
