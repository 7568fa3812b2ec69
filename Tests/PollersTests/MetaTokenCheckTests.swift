import Events
import Foundation
import Kafka
import MetricsTestKit
import Pollers
import Testing

@Suite("Meta long-lived tokens checked through the Graph API's debug_token")
struct MetaTokenCheckTests {
    static let start = Instant("2026-03-01T06:00:00Z")
    static let startSeconds = start.microsecondsSinceEpoch / 1_000_000

    /// gamma: a long-lived token two days from expiry (333), a system-user token that never expires (444), and a
    /// token Meta no longer knows (222); delta: the right token with a wrong app secret.
    static func configuration(base: URL) -> String {
        """
        {"endpoints": {"meta": "\(base)"},
         "projects": [
           {"project": "gamma", "meta": [
              {"ad_account_id": "act_333", "token_env": "GAMMA_META_333", "app_id_env": "META_APP_ID", "app_secret_env": "META_APP_SECRET", "days": 2},
              {"ad_account_id": "444", "token_env": "GAMMA_META_444", "app_id_env": "META_APP_ID", "app_secret_env": "META_APP_SECRET", "days": 2},
              {"ad_account_id": "act_222", "token_env": "GAMMA_META_222", "app_id_env": "META_APP_ID", "app_secret_env": "META_APP_SECRET", "days": 2}]},
           {"project": "delta", "meta": [
              {"ad_account_id": "act_333", "token_env": "GAMMA_META_333", "app_id_env": "META_APP_ID", "app_secret_env": "DELTA_WRONG_SECRET"}]}
         ]}
        """
    }

    static let environment = [
        "GAMMA_META_333": "meta-long-lived-333", "GAMMA_META_444": "meta-system-token-444", "GAMMA_META_222": "meta-system-token-222",
        "META_APP_ID": "meta-app", "META_APP_SECRET": "meta-app-secret", "DELTA_WRONG_SECRET": "not-the-app-secret",
    ]

    static func networks(clock: ManualPollerClock) -> SimulatedNetworks {
        let networks = SimulatedNetworks(clock: clock, firstDay: LocalDate("2026-02-20")!)
        // 333 expires in two days (data access in ninety); 444 never; 222 is not declared: Meta calls it invalid.
        networks.declareMetaToken("meta-long-lived-333", expires: startSeconds + 2 * 86400, dataAccess: startSeconds + 90 * 86400)
        networks.declareMetaToken("meta-system-token-444", expires: 0, dataAccess: 0)
        return networks
    }

    static func accounts(base: URL, clock: ManualPollerClock) throws -> [PollerAccount] {
        try PollerAccount.accounts(
            of: try PollerConfiguration.decode(Data(configuration(base: base).utf8)), environment: environment,
            transport: URLSessionTransport(timeout: .seconds(60)), clock: clock, store: nil)
    }

    @Test("--check: the expiry debug_token gives, never for 0, an invalid token and a wrong app secret failing their accounts by name")
    func check() async throws {
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let results = try await fake.serve { base in await AccountCheck.run(try Self.accounts(base: base, clock: clock), clock: clock) }
        #expect(results.map(\.account) == ["gamma/meta/333", "gamma/meta/444", "gamma/meta/222", "delta/meta/333"])
        #expect(results.map(\.ok) == [true, true, false, false])
        #expect(results[0].token == TokenStatus(expiresAt: Instant("2026-03-03T06:00:00Z"), renewable: false))
        #expect(results[1].token == TokenStatus(expiresAt: nil, renewable: false))
        #expect(results[2].error == "unauthorized: Meta says the access token is not valid (debug_token is_valid false, code 190/463: the token has expired); its owner must issue a new one")
        #expect(results[3].error?.hasPrefix("unauthorized: Meta debug_token refused the app's credentials (app_id_env, app_secret_env): Invalid OAuth access token signature. (code 190") == true)
        // The invalid token and the wrong app never reached the insights API; the good ones did.
        #expect(Set(networks.calls.map(\.token)) == ["meta-long-lived-333", "meta-system-token-444"])
        #expect(networks.metaChecks.sorted() == ["222", "333", "444"].sorted())
        let table = AccountCheck.table(results)
        #expect(table.contains("2026-03-03T06:00:00Z"))
        for secret in Self.environment.values where secret != "meta-app" { #expect(!table.contains(secret), "\(secret) in the table") }
    }

    @Test("polling: the expiry metric from debug_token, the token refused once past its expiry without a call carrying it, no secret logged")
    func polling() async throws {
        let kafka = try KafkaFixture()
        let clock = ManualPollerClock(now: Self.start)
        let networks = Self.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let logs = CapturedLogs()
        let metrics = TestMetrics()
        let pollerMetrics = PollerMetrics(sources: ["meta"], factory: metrics)
        let outcomes = try await fake.serve { base -> [[AdNetworkPoller.Outcome]] in
            let accounts = try Self.accounts(base: base, clock: clock).filter { $0.project == "gamma" }
            pollerMetrics.register(accounts: accounts.map { .init(project: $0.project, source: $0.source, account: $0.account) })
            var pollers = accounts.map {
                AdNetworkPoller(account: $0, topics: kafka.topics, producer: kafka.producer, clock: clock,
                                backoff: BackoffPolicy(maxAttempts: 1), jitter: { 0.5 }, metrics: pollerMetrics, logger: logs.logger())
            }
            var outcomes: [[AdNetworkPoller.Outcome]] = []
            // Today, then three days on: 333's token has expired by then.
            for _ in 0..<2 {
                var round: [AdNetworkPoller.Outcome] = []
                for index in pollers.indices { round.append(try await pollers[index].poll()) }
                outcomes.append(round)
                clock.advance(by: .seconds(3 * 86400))
            }
            return outcomes
        }
        let expired = AdNetworkPoller.Outcome.failure(
            "unauthorized: Meta says the access token is not valid (debug_token is_valid false, code 190/463: the token has expired); its owner must issue a new one")
        #expect(outcomes[0][0] == .success(rows: 4) && outcomes[0][1] == .success(rows: 4) && outcomes[0][2] == expired)
        #expect(outcomes[1][0] == expired && outcomes[1][1] == .success(rows: 4) && outcomes[1][2] == expired)

        let labels = { (account: String) in [("project", "gamma"), ("source", "meta"), ("account", account)] }
        // The alert's inputs: 333 expires at a known time and cannot be renewed; 444 says 0 (never).
        #expect(try metrics.expectGauge(PollerMetrics.tokenExpiry, labels("333")).lastValue == Double(Self.startSeconds + 2 * 86400))
        #expect(try metrics.expectGauge(PollerMetrics.tokenRenewable, labels("333")).lastValue == 0)
        #expect(try metrics.expectGauge(PollerMetrics.tokenExpiry, labels("444")).lastValue == 0)
        #expect(try metrics.expectCounter(PollerMetrics.accountRuns, labels("222") + [("outcome", "failure")]).totalValue == 2)
        #expect(try metrics.expectCounter(PollerMetrics.accountRuns, labels("333") + [("outcome", "failure")]).totalValue == 1)

        // No call carried a token past its expiry, and the unknown token never reached the insights API.
        #expect(networks.calls.allSatisfy { $0.live })
        #expect(!networks.calls.contains { $0.token == "meta-system-token-222" })
        let lines = logs.lines
        #expect(lines.contains { $0.contains("poll failed") && $0.contains("the token has expired") })
        for line in lines {
            for secret in Self.environment.values where secret != "meta-app" && line.contains(secret) { Issue.record("secret in a log line: \(line)") }
        }
    }

    @Test("configuration: app_id_env without app_secret_env is refused, naming the account")
    func halfApp() throws {
        let text = #"{"projects":[{"project":"gamma","meta":[{"ad_account_id":"act_333","token_env":"T","app_id_env":"META_APP_ID"}]}]}"#
        #expect(throws: PollError.self) { try PollerConfiguration.decode(Data(text.utf8)) }
        do {
            _ = try PollerConfiguration.decode(Data(text.utf8))
        } catch {
            #expect("\(error)" == "gamma: meta act_333: app_id_env and app_secret_env go together (debug_token needs both)")
        }
    }
}
