import Events
import Foundation

/// The poller's configuration file (JSON): any number of projects, each with any number of accounts per
/// network. Secrets are never in the file: each is named by the environment variable that holds it (`*_env`).
public struct PollerConfiguration: Sendable, Decodable, Equatable {
    /// One project (school) and its ad accounts.
    public struct Project: Sendable, Decodable, Equatable {
        public var project: String
        public var yandexDirect: [YandexDirectAccount]?
        public var vkAds: [VKAdsAccount]?
        public var meta: [MetaAccount]?
        public var googleAds: [GoogleAdsAccount]?
    }

    /// A Yandex Direct advertiser: its own token, or an agency's token with `client_login`.
    public struct YandexDirectAccount: Sendable, Decodable, Equatable {
        /// The advertiser's login (`Client-Login`); required with an agency token. The rows' `account_id`.
        public var clientLogin: String?
        /// The access token's variable; optional when a refresh token is configured.
        public var tokenEnv: String?
        /// Yandex OAuth renewal: the refresh token's variable and the app's id and secret variables.
        public var refreshTokenEnv: String?
        public var clientIdEnv: String?
        public var clientSecretEnv: String?
        /// ISO 4217; default RUB.
        public var currency: String?
        /// Days re-read per poll, today included; default 4.
        public var days: Int?
        /// Seconds between polls; default 3600.
        public var intervalSeconds: Int?
        /// Spend including VAT; default false.
        public var includeVat: Bool?
    }

    /// A VK Ads cabinet: a token sees exactly one account, named here for the rows.
    public struct VKAdsAccount: Sendable, Decodable, Equatable {
        /// The rows' `account_id`.
        public var accountId: String
        public var tokenEnv: String?
        /// VK Ads OAuth: refresh token, app id and secret; with id and secret but no refresh token the
        /// client-credentials grant (or the agency one, with `agency_client_name`) gets the first token.
        public var refreshTokenEnv: String?
        public var clientIdEnv: String?
        public var clientSecretEnv: String?
        public var agencyClientName: String?
        public var currency: String?
        /// Default 7.
        public var days: Int?
        public var intervalSeconds: Int?
    }

    /// A Meta ad account with a system-user (or long-lived user) token.
    public struct MetaAccount: Sendable, Decodable, Equatable {
        /// `act_<digits>` or the digits.
        public var adAccountId: String
        public var tokenEnv: String
        /// When the token expires (RFC 3339), for the expiry alert; absent for non-expiring system-user tokens.
        /// With `app_id_env` and `app_secret_env` Meta's own answer (`debug_token`) replaces it.
        public var tokenExpiresAt: String?
        /// The Meta app the token was issued to, by the variables holding its id and secret: the poller then asks
        /// the Graph API's `debug_token` for the token's expiry and validity. Both or neither.
        public var appIdEnv: String?
        public var appSecretEnv: String?
        /// The ad account's zone; default Europe/Moscow.
        public var timeZone: String?
        /// Default 28.
        public var days: Int?
        public var intervalSeconds: Int?
    }

    /// A Google Ads customer, optionally through a manager account.
    public struct GoogleAdsAccount: Sendable, Decodable, Equatable {
        public var customerId: String
        /// The manager (MCC) account (`login-customer-id`), if access goes through one.
        public var loginCustomerId: String?
        public var developerTokenEnv: String
        /// An access token's variable (lives an hour): optional when the refresh flow is configured.
        public var tokenEnv: String?
        public var refreshTokenEnv: String?
        public var clientIdEnv: String?
        public var clientSecretEnv: String?
        public var timeZone: String?
        public var intervalSeconds: Int?
    }

    /// Base URLs, for sandboxes and tests; each defaults to the production host.
    public struct Endpoints: Sendable, Decodable, Equatable {
        public var yandexDirect: String?
        public var yandexOauth: String?
        public var vkAds: String?
        public var meta: String?
        public var google: String?
        public var googleOauth: String?
    }

    public var projects: [Project]
    public var endpoints: Endpoints?

    /// Reads the file's JSON; keys are snake_case.
    public static func decode(_ data: Data) throws -> PollerConfiguration {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let configuration = try decoder.decode(PollerConfiguration.self, from: data)
        try configuration.validate()
        return configuration
    }

    /// Problems a person must fix before anything can run: names, duplicates, zones, numbers.
    public func validate() throws {
        var seen: Set<String> = []
        for project in projects {
            guard !project.project.isEmpty else { throw PollError.configuration("a project has an empty name") }
            guard seen.insert(project.project).inserted else { throw PollError.configuration("project \(project.project) appears twice") }
            var accounts: Set<String> = []
            func unique(_ source: String, _ account: String) throws {
                guard accounts.insert("\(source)/\(account)").inserted else {
                    throw PollError.configuration("\(project.project): \(source) account \(account) appears twice")
                }
            }
            for account in project.yandexDirect ?? [] {
                try unique("yandex_direct", account.clientLogin ?? "default")
                guard account.tokenEnv != nil || account.refreshTokenEnv != nil else {
                    throw PollError.configuration("\(project.project): yandex_direct \(account.clientLogin ?? "default"): needs token_env or refresh_token_env")
                }
            }
            for account in project.vkAds ?? [] {
                try unique("vk_ads", account.accountId)
                guard account.tokenEnv != nil || account.clientIdEnv != nil else {
                    throw PollError.configuration("\(project.project): vk_ads \(account.accountId): needs token_env or client_id_env + client_secret_env")
                }
            }
            for account in project.meta ?? [] {
                try unique("meta", account.adAccountId)
                guard (account.appIdEnv == nil) == (account.appSecretEnv == nil) else {
                    throw PollError.configuration("\(project.project): meta \(account.adAccountId): app_id_env and app_secret_env go together (debug_token needs both)")
                }
                if let expiry = account.tokenExpiresAt, Instant(rfc3339: expiry) == nil {
                    throw PollError.configuration("\(project.project): meta \(account.adAccountId): token_expires_at must be RFC 3339, got \(expiry)")
                }
            }
            for account in project.googleAds ?? [] {
                try unique("google_ads", account.customerId)
                guard account.tokenEnv != nil || account.refreshTokenEnv != nil else {
                    throw PollError.configuration("\(project.project): google_ads \(account.customerId): needs token_env or refresh_token_env")
                }
            }
            for zone in (project.meta ?? []).compactMap(\.timeZone) + (project.googleAds ?? []).compactMap(\.timeZone)
            where TimeZone(identifier: zone) == nil {
                throw PollError.configuration("\(project.project): unknown time zone \(zone)")
            }
            let numbers = (project.yandexDirect ?? []).flatMap { [$0.days, $0.intervalSeconds] }
                + (project.vkAds ?? []).flatMap { [$0.days, $0.intervalSeconds] }
                + (project.meta ?? []).flatMap { [$0.days, $0.intervalSeconds] } + (project.googleAds ?? []).map(\.intervalSeconds)
            if numbers.contains(where: { ($0 ?? 1) <= 0 }) {
                throw PollError.configuration("\(project.project): days and interval_seconds must be positive")
            }
        }
    }
}
