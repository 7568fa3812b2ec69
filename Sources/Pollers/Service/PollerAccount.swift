import Events
import Foundation

/// One ad account of one project, ready to poll: its client, schedule and token.
public struct PollerAccount: Sendable {
    public var project: String
    /// `yandex_direct`, `vk_ads`, `meta`, `google_ads`.
    public var source: String
    /// The rows' `account_id` (client login, cabinet, ad account, customer id).
    public var account: String
    public var client: any AdNetworkClient
    public var schedule: AdNetworkSchedule
    public var tokens: any AccessTokenProvider

    public init(project: String, source: String, account: String, client: any AdNetworkClient, schedule: AdNetworkSchedule, tokens: any AccessTokenProvider) {
        self.project = project
        self.source = source
        self.account = account
        self.client = client
        self.schedule = schedule
        self.tokens = tokens
    }

    /// `project/source/account`: the account in logs, `--check` and `--once` failures.
    public var name: String { "\(project)/\(source)/\(account)" }

    /// Every account of `configuration`. An account whose secrets are missing from `environment` is still
    /// listed, with a client that fails every poll naming the variable: one broken account stops nothing
    /// else, and `--check` and the alerts show it.
    public static func accounts(
        of configuration: PollerConfiguration, environment: [String: String], transport: any HTTPTransport, clock: any PollerClock,
        store: TokenStore?
    ) throws -> [PollerAccount] {
        func value(_ name: String?) -> String? { name.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 } }
        func url(_ text: String?, _ fallback: String) throws -> URL {
            let text = text ?? fallback
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw PollError.configuration("endpoints: \(text) is not an http(s) URL")
            }
            return url
        }
        func missing(_ names: [String?]) -> String? {
            let absent = names.compactMap { $0 }.filter { value($0) == nil }
            return absent.isEmpty ? nil : "environment variable \(absent.joined(separator: ", ")) is not set"
        }
        let endpoints = configuration.endpoints
        let directURL = try url(endpoints?.yandexDirect, "https://api.direct.yandex.com")
        let yandexOAuth = try url(endpoints?.yandexOauth, "https://oauth.yandex.ru").appendingPathComponent("token")
        let vkURL = try url(endpoints?.vkAds, "https://ads.vk.com")
        let metaURL = try url(endpoints?.meta, MetaInsightsClient.defaultBaseURL.absoluteString)
        let googleURL = try url(endpoints?.google, GoogleAdsClient.defaultBaseURL.absoluteString)
        let googleOAuth = try url(endpoints?.googleOauth, "https://oauth2.googleapis.com").appendingPathComponent("token")
        var result: [PollerAccount] = []
        for project in configuration.projects {
            let name = project.project
            func key(_ source: String, _ account: String) -> String { "\(name)-\(source)-\(account)" }
            func broken(_ source: String, _ account: String, _ schedule: AdNetworkSchedule, _ reason: String) -> PollerAccount {
                PollerAccount(
                    project: name, source: source, account: account, client: UnavailableClient(source: source, reason: reason),
                    schedule: schedule, tokens: FixedAccessToken(""))
            }

            for account in project.yandexDirect ?? [] {
                let id = account.clientLogin ?? "default"
                var schedule = AdNetworkSchedule.defaults(for: "yandex_direct")
                schedule.window = .trailingDays(account.days ?? 4)
                schedule.interval = .seconds(account.intervalSeconds ?? 3600)
                let renewal = [account.refreshTokenEnv, account.clientIdEnv, account.clientSecretEnv]
                let renews = account.refreshTokenEnv != nil
                if let reason = missing(renews ? renewal : [account.tokenEnv]) {
                    result.append(broken("yandex_direct", id, schedule, reason))
                    continue
                }
                let tokens: any AccessTokenProvider = renews
                    ? RenewingAccessToken(
                        grant: .yandex(tokenURL: yandexOAuth, clientID: value(account.clientIdEnv)!, clientSecret: value(account.clientSecretEnv)!,
                                       refreshToken: value(account.refreshTokenEnv)!),
                        key: key("yandex_direct", id), accessToken: value(account.tokenEnv), store: store, transport: transport, clock: clock)
                    : FixedAccessToken(value(account.tokenEnv)!)
                let client = YandexDirectClient(
                    configuration: .init(
                        token: value(account.tokenEnv) ?? "", clientLogin: account.clientLogin, currency: account.currency ?? "RUB",
                        baseURL: directURL, includeVAT: account.includeVat ?? false),
                    transport: transport, clock: clock, tokens: tokens)
                result.append(PollerAccount(project: name, source: "yandex_direct", account: id, client: client, schedule: schedule, tokens: tokens))
            }

            for account in project.vkAds ?? [] {
                var schedule = AdNetworkSchedule.defaults(for: "vk_ads")
                schedule.window = .trailingDays(account.days ?? 7)
                schedule.interval = .seconds(account.intervalSeconds ?? 3600)
                let renews = account.clientIdEnv != nil
                if let reason = missing(renews ? [account.clientIdEnv, account.clientSecretEnv] : [account.tokenEnv]) {
                    result.append(broken("vk_ads", account.accountId, schedule, reason))
                    continue
                }
                let tokens: any AccessTokenProvider = renews
                    ? RenewingAccessToken(
                        grant: .vkAds(
                            tokenURL: vkURL.appendingPathComponent("api/v2/oauth2/token.json"), clientID: value(account.clientIdEnv)!,
                            clientSecret: value(account.clientSecretEnv)!, refreshToken: value(account.refreshTokenEnv),
                            agencyClientName: account.agencyClientName),
                        key: key("vk_ads", account.accountId), accessToken: value(account.tokenEnv), store: store, transport: transport, clock: clock)
                    : FixedAccessToken(value(account.tokenEnv)!)
                let client = VKAdsClient(
                    configuration: .init(token: value(account.tokenEnv) ?? "", accountID: account.accountId, currency: account.currency ?? "RUB", baseURL: vkURL),
                    transport: transport, tokens: tokens)
                result.append(PollerAccount(project: name, source: "vk_ads", account: account.accountId, client: client, schedule: schedule, tokens: tokens))
            }

            for account in project.meta ?? [] {
                let zone = account.timeZone.flatMap(TimeZone.init(identifier:))
                var schedule = AdNetworkSchedule.defaults(for: "meta", timeZone: zone)
                schedule.window = .trailingDays(account.days ?? 28)
                schedule.interval = .seconds(account.intervalSeconds ?? 3600)
                if let reason = missing([account.tokenEnv, account.appIdEnv, account.appSecretEnv]) {
                    result.append(broken("meta", account.adAccountId, schedule, reason))
                    continue
                }
                let configuredExpiry = account.tokenExpiresAt.flatMap(Instant.init(rfc3339:))
                let tokens: any AccessTokenProvider = if account.appIdEnv != nil {
                    MetaCheckedToken(
                        token: value(account.tokenEnv)!, appID: value(account.appIdEnv)!, appSecret: value(account.appSecretEnv)!, baseURL: metaURL,
                        transport: transport, clock: clock, configuredExpiry: configuredExpiry)
                } else {
                    FixedAccessToken(value(account.tokenEnv)!, expiresAt: configuredExpiry)
                }
                do {
                    let client = try MetaInsightsClient(
                        adAccountID: account.adAccountId, accessToken: value(account.tokenEnv)!, baseURL: metaURL, transport: transport,
                        clock: clock, tokens: tokens)
                    result.append(PollerAccount(project: name, source: "meta", account: client.accountID, client: client, schedule: schedule, tokens: tokens))
                } catch {
                    result.append(broken("meta", account.adAccountId, schedule, "\(error)"))
                }
            }

            for account in project.googleAds ?? [] {
                let zone = account.timeZone.flatMap(TimeZone.init(identifier:))
                var schedule = AdNetworkSchedule.defaults(for: "google_ads", timeZone: zone)
                schedule.interval = .seconds(account.intervalSeconds ?? 3600)
                let renews = account.refreshTokenEnv != nil
                let needed = [account.developerTokenEnv] + (renews ? [account.refreshTokenEnv, account.clientIdEnv, account.clientSecretEnv] : [account.tokenEnv])
                let id = account.customerId.replacingOccurrences(of: "-", with: "")
                if let reason = missing(needed) {
                    result.append(broken("google_ads", id, schedule, reason))
                    continue
                }
                let tokens: any AccessTokenProvider = renews
                    ? RenewingAccessToken(
                        grant: .google(tokenURL: googleOAuth, clientID: value(account.clientIdEnv)!, clientSecret: value(account.clientSecretEnv)!,
                                       refreshToken: value(account.refreshTokenEnv)!),
                        key: key("google_ads", id), accessToken: value(account.tokenEnv), store: store, transport: transport, clock: clock)
                    : FixedAccessToken(value(account.tokenEnv)!)
                do {
                    let client = try GoogleAdsClient(
                        customerID: account.customerId, developerToken: value(account.developerTokenEnv)!, accessToken: value(account.tokenEnv) ?? "",
                        loginCustomerID: account.loginCustomerId, baseURL: googleURL, transport: transport, tokens: tokens)
                    result.append(PollerAccount(project: name, source: "google_ads", account: client.customerID, client: client, schedule: schedule, tokens: tokens))
                } catch {
                    result.append(broken("google_ads", id, schedule, "\(error)"))
                }
            }
        }
        return result
    }
}

/// The client of an account that cannot be polled as configured: every fetch fails with the reason.
struct UnavailableClient: AdNetworkClient {
    let source: String
    var network: String { source }
    let reason: String

    func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        throw PollError.unauthorized(reason)
    }
}
