import Events
import Foundation
import Kafka
import Logging
import MetricsTestKit
import Pollers
import Testing

/// Collects every log line with its metadata, so a test can look for secrets in what would be logged.
final class CapturedLogs: @unchecked Sendable {
    // @unchecked Sendable: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var captured: [String] = []

    var lines: [String] { lock.withLock { captured } }

    func append(_ line: String) { lock.withLock { captured.append(line) } }

    /// A logger at trace level that writes here.
    func logger() -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            sink.append("\(level) \(message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}

@Suite("unattended pollers: many projects and accounts, renewing tokens, names, history, --check")
struct UnattendedAccountsTests {
    static let start = Instant("2026-03-01T06:00:00Z")  // 09:00 in Moscow

    /// Two projects: alpha (Yandex through its own refresh token, VK through client credentials, Google),
    /// beta (an agency's Yandex client, Meta with a system-user token, Google through a manager account,
    /// and a VK cabinet whose secret is missing from the environment).
    static func configuration(base: URL) -> String {
        """
        {
          "endpoints": {"yandex_direct": "\(base)", "yandex_oauth": "\(base)/yandex-oauth", "vk_ads": "\(base)",
                        "meta": "\(base)", "google": "\(base)", "google_oauth": "\(base)/google-oauth"},
          "projects": [
            {"project": "alpha",
             "yandex_direct": [{"client_login": "alpha-login", "refresh_token_env": "ALPHA_YANDEX_REFRESH",
                                "client_id_env": "YANDEX_CLIENT_ID", "client_secret_env": "YANDEX_CLIENT_SECRET"}],
             "vk_ads": [{"account_id": "vk-a", "client_id_env": "VK_A_CLIENT_ID", "client_secret_env": "VK_A_CLIENT_SECRET"}],
             "google_ads": [{"customer_id": "111-111-1111", "developer_token_env": "GOOGLE_DEVELOPER_TOKEN",
                             "refresh_token_env": "ALPHA_GOOGLE_REFRESH", "client_id_env": "GOOGLE_CLIENT_ID",
                             "client_secret_env": "GOOGLE_CLIENT_SECRET"}]},
            {"project": "beta",
             "yandex_direct": [{"client_login": "beta-login", "refresh_token_env": "BETA_YANDEX_REFRESH",
                                "client_id_env": "YANDEX_CLIENT_ID", "client_secret_env": "YANDEX_CLIENT_SECRET"}],
             "vk_ads": [{"account_id": "vk-b", "client_id_env": "VK_B_CLIENT_ID", "client_secret_env": "VK_B_CLIENT_SECRET"}],
             "meta": [{"ad_account_id": "act_222", "token_env": "BETA_META_TOKEN", "days": 3,
                       "app_id_env": "META_APP_ID", "app_secret_env": "META_APP_SECRET"}],
             "google_ads": [{"customer_id": "2222222222", "login_customer_id": "999-999-9999", "developer_token_env": "GOOGLE_DEVELOPER_TOKEN",
                             "refresh_token_env": "BETA_GOOGLE_REFRESH", "client_id_env": "GOOGLE_CLIENT_ID",
                             "client_secret_env": "GOOGLE_CLIENT_SECRET"}]}
          ]
        }
        """
    }

    static let environment = [
        "ALPHA_YANDEX_REFRESH": "alpha-consent-refresh", "BETA_YANDEX_REFRESH": "beta-consent-refresh",
        "YANDEX_CLIENT_ID": "yandex-app", "YANDEX_CLIENT_SECRET": "yandex-app-secret",
        "VK_A_CLIENT_ID": "vk-app-a", "VK_A_CLIENT_SECRET": "vk-app-a-secret",
        "GOOGLE_DEVELOPER_TOKEN": "google-dev-token", "GOOGLE_CLIENT_ID": "google-app", "GOOGLE_CLIENT_SECRET": "google-app-secret",
        "ALPHA_GOOGLE_REFRESH": "1//alpha-google-refresh", "BETA_GOOGLE_REFRESH": "1//beta-google-refresh",
        "BETA_META_TOKEN": "meta-system-token-222", "META_APP_ID": "meta-app", "META_APP_SECRET": "meta-app-secret",
        // VK_B_CLIENT_ID and VK_B_CLIENT_SECRET are missing on purpose.
    ]

    static func networks(clock: ManualPollerClock) -> SimulatedNetworks {
        let networks = SimulatedNetworks(clock: clock, firstDay: LocalDate("2026-03-01")!)
        networks.grantRefreshToken("alpha-consent-refresh", account: "alpha-login")
        networks.grantRefreshToken("beta-consent-refresh", account: "beta-login")
        networks.grantRefreshToken("1//alpha-google-refresh", account: "1111111111")
        networks.grantRefreshToken("1//beta-google-refresh", account: "2222222222")
        // A long-lived token: 60 days from now, its data access 90 (what debug_token answers for it).
        networks.declareMetaToken("meta-system-token-222", expires: metaExpiry(clock), dataAccess: metaExpiry(clock) + 30 * 86400)
        return networks
    }

    /// Unix seconds at which beta's Meta token expires: sixty days after the clock's start.
    static func metaExpiry(_ clock: ManualPollerClock) -> Int64 { clock.now().microsecondsSinceEpoch / 1_000_000 + 60 * 86400 }

    static func accounts(base: URL, clock: ManualPollerClock, state: URL) throws -> [PollerAccount] {
        let configuration = try PollerConfiguration.decode(Data(configuration(base: base).utf8))
        return try PollerAccount.accounts(
            of: configuration, environment: environment, transport: URLSessionTransport(timeout: .seconds(60)), clock: clock,
            store: TokenStore(directory: state.appendingPathComponent("tokens")))
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pollers-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let healthy = ["alpha/yandex_direct/alpha-login", "alpha/vk_ads/vk-a", "alpha/google_ads/1111111111",
                          "beta/yandex_direct/beta-login", "beta/meta/222", "beta/google_ads/2222222222"]

    @Test("thirty days, two projects, seven accounts, a restart and a revoked token: every healthy account's every day arrives, with names, and no token is used after its expiry")
    func thirtyDays() async throws {
        let kafka = try KafkaFixture()
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let state = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let logs = CapturedLogs()
        let metrics = TestMetrics()
        let pollerMetrics = PollerMetrics(sources: ["yandex_direct", "vk_ads", "meta", "google_ads"], factory: metrics)

        let failures = try await fake.serve { base -> [String: Int] in
            var failures: [String: Int] = [:]
            func pollers() throws -> [AdNetworkPoller] {
                let accounts = try Self.accounts(base: base, clock: clock, state: state)
                pollerMetrics.register(accounts: accounts.map { .init(project: $0.project, source: $0.source, account: $0.account) })
                return accounts.map {
                    AdNetworkPoller(account: $0, topics: kafka.topics, producer: kafka.producer, clock: clock,
                                    backoff: BackoffPolicy(maxAttempts: 1), jitter: { 0.5 }, metrics: pollerMetrics, logger: logs.logger())
                }
            }
            var running = try pollers()
            #expect(running.map(\.name).sorted() == (Self.healthy + ["beta/vk_ads/vk-b"]).sorted())
            // Two polls a Moscow day (09:00 and 21:00) for thirty days.
            for half in 0..<60 {
                if half == 30 { running = try pollers() }  // a restart: tokens come back from the state directory
                if half == 21 { networks.revokeAccessTokens(of: "vk-a") }  // VK deleted the token early: a 401, then renewal
                for index in running.indices {
                    if case .failure = try await running[index].poll() { failures[running[index].name, default: 0] += 1 }
                }
                clock.advance(by: .seconds(12 * 3600))
            }
            return failures
        }
        // Only the account with the missing secret failed, at every poll.
        #expect(failures == ["beta/vk_ads/vk-b": 60])

        // Every healthy account's every day, 2026-03-01 to 2026-03-30, exactly one id; names on every event.
        let lastDay = LocalDate("2026-03-30")!
        let adsPerAccount = ["yandex_direct": 2, "vk_ads": 2, "meta": 2, "google_ads": 1]
        let expected = 30 * (2 * 2 + 2 + 2 + 2 * 1)
        // Every row a poll fetched is one message: the per-account row counters say how many to read.
        var produced = 0
        for name in Self.healthy {
            let parts = name.split(separator: "/").map(String.init)
            produced += Int(try metrics.expectCounter(PollerMetrics.accountRows, [("project", parts[0]), ("source", parts[1]), ("account", parts[2])]).totalValue)
        }
        let messages = try await kafka.messages(count: produced)
        #expect(messages.count == produced)
        var ids: [String: Set<String>] = [:]
        for message in messages {
            let event = message.event
            guard case .adStats(let row) = event.data else { Issue.record("not ad_stats: \(event.id)"); continue }
            ids["\(event.project)/\(row.network)/\(row.accountID)/\(row.adID)/\(row.day)", default: []].insert(event.id)
            #expect(row.campaignName != nil && row.adGroupName != nil && row.adName != nil && row.adGroupID != nil, "\(event.id)")
        }
        #expect(ids.count == expected)
        #expect(ids.values.allSatisfy { $0.count == 1 })
        for name in Self.healthy {
            let parts = name.split(separator: "/").map(String.init)
            let keys = ids.keys.filter { $0.hasPrefix("\(parts[0])/\(parts[1])/\(parts[2])/") }
            #expect(keys.count == 30 * adsPerAccount[parts[1]]!, "\(name)")
            for offset in 0..<30 {
                let day = LocalDate("2026-03-01")!.adding(days: offset)
                #expect(keys.contains { $0.hasSuffix("/\(day)") }, "\(name) misses \(day)")
            }
        }
        #expect(!ids.keys.contains { $0.hasSuffix("/\(lastDay.adding(days: 1))") })

        // The transcript: no call ever carried a token past its expiry; the one early revocation cost one refused call.
        let calls = networks.calls
        let refused = calls.filter { !$0.live }
        #expect(refused.count == 1)
        #expect(refused.first?.network == "vk_ads")
        let renewals = networks.renewals
        // Google: one renewal per poll (an hour's token, polls 12 hours apart); VK: client credentials once, then
        // refresh; Yandex: the 7-day token renewed in its last quarter, refresh tokens rotating, across the restart.
        #expect(renewals.filter { $0 == "google 1111111111 refresh_token" }.count == 60)
        #expect(renewals.filter { $0.hasPrefix("vk vk-a client_credentials") }.count == 1)
        #expect(renewals.filter { $0 == "vk vk-a refresh_token" }.count >= 15)
        #expect(renewals.filter { $0 == "yandex alpha-login refresh_token" }.count >= 5)

        // No secret in any log line.
        let secrets = Array(Self.environment.values) + calls.map(\.token)
        let lines = logs.lines
        #expect(!lines.isEmpty)
        for line in lines {
            for secret in Set(secrets) where line.contains(secret) { Issue.record("secret in a log line: \(line)") }
        }

        // Token files: one per renewing account, readable by the owner only.
        let tokenFiles = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("tokens").path).sorted()
        #expect(tokenFiles == ["alpha-google_ads-1111111111.json", "alpha-vk_ads-vk-a.json", "alpha-yandex_direct-alpha-login.json",
                               "beta-google_ads-2222222222.json", "beta-yandex_direct-beta-login.json"])
        for file in tokenFiles {
            let attributes = try FileManager.default.attributesOfItem(atPath: state.appendingPathComponent("tokens/\(file)").path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }

        // The per-account series: every account present, the broken one never succeeded.
        for name in Self.healthy {
            let parts = name.split(separator: "/").map(String.init)
            let labels = [("project", parts[0]), ("source", parts[1]), ("account", parts[2])]
            #expect(try metrics.expectGauge(PollerMetrics.accountLastSuccess, labels).lastValue ?? 0 > 0, "\(name)")
            #expect(try metrics.expectCounter(PollerMetrics.accountRuns, labels + [("outcome", "failure")]).totalValue == 0, "\(name)")
        }
        let broken = [("project", "beta"), ("source", "vk_ads"), ("account", "vk-b")]
        #expect(try metrics.expectGauge(PollerMetrics.accountLastSuccess, broken).lastValue == 0)
        #expect(try metrics.expectCounter(PollerMetrics.accountRuns, broken + [("outcome", "failure")]).totalValue == 60)
        let google = [("project", "alpha"), ("source", "google_ads"), ("account", "1111111111")]
        #expect(try metrics.expectGauge(PollerMetrics.tokenRenewable, google).lastValue == 1)
        #expect(try metrics.expectGauge(PollerMetrics.tokenExpiry, google).lastValue ?? 0 > 1_772_000_000)
        // Meta's long-lived token: its expiry as debug_token gave it (asked once an hour at most: once per poll here).
        let meta = [("project", "beta"), ("source", "meta"), ("account", "222")]
        #expect(try metrics.expectGauge(PollerMetrics.tokenExpiry, meta).lastValue == Double(Self.start.microsecondsSinceEpoch / 1_000_000 + 60 * 86400))
        #expect(try metrics.expectGauge(PollerMetrics.tokenRenewable, meta).lastValue == 0)
        #expect(networks.metaChecks == Array(repeating: "222", count: 60))
    }

    @Test("the per-account series exist from start-up, before any poll")
    func seriesFromStartUp() async throws {
        let clock = ManualPollerClock(now: Self.start)
        let metrics = TestMetrics()
        let pollerMetrics = PollerMetrics(sources: [], factory: metrics)
        let accounts = try Self.accounts(base: URL(string: "http://127.0.0.1:9")!, clock: clock, state: Self.temporaryDirectory())
        pollerMetrics.register(accounts: accounts.map { .init(project: $0.project, source: $0.source, account: $0.account) })
        #expect(accounts.count == 7)
        for account in accounts {
            let labels = [("project", account.project), ("source", account.source), ("account", account.account)]
            #expect(try metrics.expectGauge(PollerMetrics.accountLastSuccess, labels).lastValue == 0)
            #expect(try metrics.expectGauge(PollerMetrics.tokenExpiry, labels).lastValue == 0)
            #expect(try metrics.expectGauge(PollerMetrics.tokenRenewalFailing, labels).lastValue == 0)
            #expect(try metrics.expectCounter(PollerMetrics.accountRuns, labels + [("outcome", "failure")]).totalValue == 0)
        }
    }

    @Test("--check: the broken account is listed as FAILED with its reason, every other as ok, with token expiries")
    func check() async throws {
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let state = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let results = try await fake.serve { base in
            await AccountCheck.run(try Self.accounts(base: base, clock: clock, state: state), clock: clock)
        }
        #expect(results.map(\.account) == ["alpha/yandex_direct/alpha-login", "alpha/vk_ads/vk-a", "alpha/google_ads/1111111111",
                                           "beta/yandex_direct/beta-login", "beta/vk_ads/vk-b", "beta/meta/222", "beta/google_ads/2222222222"])
        #expect(results.filter { !$0.ok }.map(\.account) == ["beta/vk_ads/vk-b"])
        #expect(results.first { !$0.ok }?.error == "unauthorized: environment variable VK_B_CLIENT_ID, VK_B_CLIENT_SECRET is not set")
        // Google's hour-long token was obtained at 06:00Z: it expires at 06:59:59Z.
        #expect(results[2].token == TokenStatus(expiresAt: Instant("2026-03-01T06:59:59Z"), renewable: true))
        let table = AccountCheck.table(results)
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.count == 8)
        #expect(lines[0].hasPrefix("ACCOUNT"))
        #expect(lines[5].hasPrefix("beta/vk_ads/vk-b") && lines[5].contains("FAILED: unauthorized: environment variable VK_B_CLIENT_ID"))
        #expect(lines[3].contains("  ok  ") && lines[3].contains("2026-03-01T06:59:59") && lines[3].contains("(renews)"))
        // Meta's token: the expiry debug_token gave (sixty days on), not renewable.
        #expect(lines[6].hasPrefix("beta/meta/222") && lines[6].contains("  ok  ") && lines[6].contains("2026-04-30T06:00:00") && !lines[6].contains("renews"))
        for secret in Self.environment.values { #expect(!table.contains(secret)) }
    }

    @Test("a refused renewal (invalid_grant) fails that account loudly: renewal error in its status and metric")
    func refusedRenewal() async throws {
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let metrics = TestMetrics()
        let pollerMetrics = PollerMetrics(sources: [], factory: metrics)
        let kafka = try KafkaFixture()
        let (outcome, status) = try await fake.serve { base in
            let tokens = RenewingAccessToken(
                grant: .yandex(tokenURL: base.appendingPathComponent("yandex-oauth/token"), clientID: "yandex-app", clientSecret: "yandex-app-secret",
                               refreshToken: "revoked-by-the-user"),
                key: "gamma", store: nil, transport: URLSessionTransport(timeout: .seconds(60)), clock: clock)
            let client = YandexDirectClient(
                configuration: .init(token: "", clientLogin: "gamma-login", baseURL: base), transport: URLSessionTransport(timeout: .seconds(60)),
                clock: clock, tokens: tokens)
            let account = PollerAccount(project: "gamma", source: "yandex_direct", account: "gamma-login", client: client,
                                        schedule: .defaults(for: "yandex_direct"), tokens: tokens)
            var poller = AdNetworkPoller(account: account, topics: kafka.topics, producer: kafka.producer, clock: clock, metrics: pollerMetrics,
                                         logger: pollerTestLogger())
            return (try await poller.poll(), await tokens.status())
        }
        #expect(outcome == .failure("unauthorized: Yandex OAuth renewal refused: HTTP 400 invalid_grant"))
        #expect(status.renewalError == "Yandex OAuth renewal refused: HTTP 400 invalid_grant")
        #expect(try metrics.expectGauge(PollerMetrics.tokenRenewalFailing, [("project", "gamma"), ("source", "yandex_direct"), ("account", "gamma-login")]).lastValue == 1)
    }

    @Test("history: a past range in chunks with progress lines, resumed after a failure, with the ids of live polls")
    func history() async throws {
        let kafka = try KafkaFixture()
        let clock = ManualPollerClock(now: Instant("2026-04-20T06:00:00Z"))
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let state = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let lines = CapturedLogs()
        let range = LocalDate("2026-03-01")!...LocalDate("2026-04-19")!
        let outcome = try await fake.serve { base -> AdNetworkPoller.Outcome in
            let account = try Self.accounts(base: base, clock: clock, state: state).first { $0.name == "beta/yandex_direct/beta-login" }!
            var poller = AdNetworkPoller(account: account, topics: kafka.topics, producer: kafka.producer, clock: clock,
                                         metrics: PollerMetrics(sources: [], factory: TestMetrics()), logger: pollerTestLogger())
            let store = HistoryLoad.ProgressStore(directory: state.appendingPathComponent("history"))
            let first = try await HistoryLoad.run(&poller, range: range, store: store) { lines.append($0) }
            // Loaded again: every chunk is skipped as loaded before, nothing is asked of the API.
            let before = networks.calls.count
            _ = try await HistoryLoad.run(&poller, range: range, store: store) { lines.append($0) }
            #expect(networks.calls.count == before)
            // A live poll of the trailing days gives the same ids as the history of those days.
            _ = try await poller.poll()
            return first
        }
        // 50 days of 2 ads: 2026-03-01...03-31 and 04-01...04-19.
        #expect(outcome == .success(rows: 100))
        #expect(lines.lines == [
            "history beta/yandex_direct/beta-login: 2026-03-01...2026-03-31 1/2 chunks, 62 rows",
            "history beta/yandex_direct/beta-login: 2026-04-01...2026-04-19 2/2 chunks, 38 rows",
            "history beta/yandex_direct/beta-login: 2026-03-01...2026-03-31 1/2 chunks, loaded before",
            "history beta/yandex_direct/beta-login: 2026-04-01...2026-04-19 2/2 chunks, loaded before",
        ])
        let events = try await kafka.messages(count: 100 + 8).map(\.event)
        #expect(events.count == 108)
        var byKey: [String: Set<String>] = [:]
        for event in events {
            guard case .adStats(let row) = event.data else { continue }
            byKey["\(row.adID) \(row.day)", default: []].insert(event.id)
        }
        // 100 history rows and the live window (2026-04-17...04-20, 8 rows): its first three days were loaded by
        // the history with the same ids, so only 04-20's two rows are new keys.
        #expect(byKey.count == 102)
        #expect(byKey.values.allSatisfy { $0.count == 1 })
    }

    @Test("a rotated refresh token survives a restart from the state directory, and a re-consent in the environment wins over it")
    func storedTokens() async throws {
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let state = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let store = TokenStore(directory: state)
        try await fake.serve { base in
            let transport = URLSessionTransport(timeout: .seconds(60))
            func provider(_ refresh: String) -> RenewingAccessToken {
                RenewingAccessToken(
                    grant: .yandex(tokenURL: base.appendingPathComponent("yandex-oauth/token"), clientID: "yandex-app",
                                   clientSecret: "yandex-app-secret", refreshToken: refresh),
                    key: "alpha-yandex_direct-alpha-login", store: store, transport: transport, clock: clock)
            }
            let first = try await provider("alpha-consent-refresh").accessToken()
            // The consent's refresh token is spent (Yandex rotated it): only the stored one can renew now.
            clock.advance(by: .seconds(8 * 86400))
            let afterRestart = try await provider("alpha-consent-refresh").accessToken()
            #expect(afterRestart != first)
            #expect(store.load("alpha-yandex_direct-alpha-login")?.accessToken == afterRestart)
            // The owner consented again: the new refresh token in the environment is used, not the stored one.
            networks.grantRefreshToken("alpha-new-consent", account: "alpha-login")
            let reconsented = try await provider("alpha-new-consent").accessToken()
            #expect(reconsented != afterRestart)
        }
        #expect(networks.renewals == Array(repeating: "yandex alpha-login refresh_token", count: 3))
        let attributes = try FileManager.default.attributesOfItem(atPath: store.fileURL("alpha-yandex_direct-alpha-login").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("history chunks: consecutive, within the size, covering the range exactly")
    func chunks() {
        let chunks = HistoryLoad.chunks(LocalDate("2026-01-01")!...LocalDate("2026-03-05")!, size: 31)
        #expect(chunks.map { "\($0.lowerBound)...\($0.upperBound)" } == [
            "2026-01-01...2026-01-31", "2026-02-01...2026-03-03", "2026-03-04...2026-03-05",
        ])
        #expect(HistoryLoad.chunks(LocalDate("2026-01-01")!...LocalDate("2026-01-01")!, size: 28).count == 1)
    }
}
