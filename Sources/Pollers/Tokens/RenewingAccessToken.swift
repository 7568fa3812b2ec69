import Events
import Foundation

/// An access token that renews itself by the network's own OAuth flow (INPUTS §13): before it expires
/// (in the last quarter of its lifetime) and after a 401, keeping what it got in a `TokenStore`.
///
/// One renewal at a time per account: VK kills the old access token the moment a new one is issued,
/// so two renewals racing would leave one caller with a dead token.
public actor RenewingAccessToken: AccessTokenProvider {
    /// The flow and its credentials (secrets: never logged, never in errors).
    public enum Grant: Sendable {
        /// Google: `POST https://oauth2.googleapis.com/token`, `grant_type=refresh_token`; the refresh token stays.
        case google(tokenURL: URL, clientID: String, clientSecret: String, refreshToken: String)
        /// VK Ads: `POST /api/v2/oauth2/token.json`; `refresh_token` when there is one, else `client_credentials`
        /// (or `agency_client_credentials` for an agency's client, named by `agencyClientName`).
        case vkAds(tokenURL: URL, clientID: String, clientSecret: String, refreshToken: String?, agencyClientName: String?)
        /// Yandex OAuth: `POST https://oauth.yandex.ru/token`, `grant_type=refresh_token`; may hand out a new refresh token.
        case yandex(tokenURL: URL, clientID: String, clientSecret: String, refreshToken: String)

        var network: String {
            switch self {
            case .google: "Google OAuth"
            case .vkAds: "VK Ads OAuth"
            case .yandex: "Yandex OAuth"
            }
        }

        var configuredRefreshToken: String? {
            switch self {
            case .google(_, _, _, let token), .yandex(_, _, _, let token): token
            case .vkAds(_, _, _, let token, _): token
            }
        }
    }

    private let grant: Grant
    private let key: String
    private let store: TokenStore?
    private let transport: any HTTPTransport
    private let clock: any PollerClock
    private var entry: TokenStore.Entry?
    private var loaded = false
    private var renewalError: String?
    private var storeError: String?
    private var renewing: Task<TokenStore.Entry, any Error>?

    /// - Parameters:
    ///   - key: the account's file name in `store` (`<project>-<network>-<account>`).
    ///   - accessToken: a token to start with (from the environment), used until it expires or is refused.
    public init(grant: Grant, key: String, accessToken: String? = nil, store: TokenStore?, transport: any HTTPTransport, clock: any PollerClock) {
        self.grant = grant
        self.key = key
        self.store = store
        self.transport = transport
        self.clock = clock
        if let accessToken {
            entry = TokenStore.Entry(
                accessToken: accessToken, refreshToken: grant.configuredRefreshToken, expiresAtMicros: nil,
                obtainedAtMicros: clock.now().microsecondsSinceEpoch, configuredFingerprint: Self.fingerprint(grant.configuredRefreshToken))
        }
    }

    public func accessToken() async throws -> String {
        loadOnce()
        if let entry, !needsRenewal(entry) { return entry.accessToken }
        return try await renew().accessToken
    }

    public func refused(_ token: String) async -> Bool {
        loadOnce()
        if entry?.accessToken == token { entry?.expiresAtMicros = clock.now().microsecondsSinceEpoch }
        return true
    }

    public func status() async -> TokenStatus {
        loadOnce()
        return TokenStatus(
            expiresAt: entry?.expiresAtMicros.map { Instant(microsecondsSinceEpoch: $0) }, renewable: true, renewalError: renewalError,
            storeError: storeError)
    }

    /// The stored entry wins over the configured tokens unless the operator configured a new refresh token since.
    private func loadOnce() {
        guard !loaded else { return }
        loaded = true
        if let stored = store?.load(key), stored.configuredFingerprint == Self.fingerprint(grant.configuredRefreshToken) {
            entry = stored
        }
    }

    /// Renew in the last quarter of the lifetime (at least a minute ahead), or when the lifetime is past.
    private func needsRenewal(_ entry: TokenStore.Entry) -> Bool {
        guard let expires = entry.expiresAtMicros else { return false }
        let margin = max((expires - entry.obtainedAtMicros) / 4, 60_000_000)
        return clock.now().microsecondsSinceEpoch >= expires - margin
    }

    private func renew() async throws -> TokenStore.Entry {
        if let renewing { return try await renewing.value }
        let task = Task { try await self.requestNewToken() }
        renewing = task
        defer { renewing = nil }
        do {
            let fresh = try await task.value
            entry = fresh
            renewalError = nil
            do {
                try store?.save(fresh, as: key)
                storeError = nil
            } catch {
                // The token works now; what is lost is only its survival across a restart, so polling goes on
                // and `--check` shows the problem.
                storeError = "\(error)"
            }
            return fresh
        } catch let error as PollError {
            if case .unauthorized(let reason) = error { renewalError = reason }
            throw error
        }
    }

    private func requestNewToken() async throws -> TokenStore.Entry {
        let refreshToken = entry?.refreshToken ?? grant.configuredRefreshToken
        var form: [(String, String)]
        let url: URL
        switch grant {
        case .google(let tokenURL, let clientID, let clientSecret, _):
            url = tokenURL
            form = [("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret), ("refresh_token", refreshToken ?? "")]
        case .yandex(let tokenURL, let clientID, let clientSecret, _):
            url = tokenURL
            form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken ?? ""), ("client_id", clientID), ("client_secret", clientSecret)]
        case .vkAds(let tokenURL, let clientID, let clientSecret, _, let agencyClient):
            url = tokenURL
            if let refreshToken {
                form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientID), ("client_secret", clientSecret)]
            } else if let agencyClient {
                form = [("grant_type", "agency_client_credentials"), ("client_id", clientID), ("client_secret", clientSecret),
                        ("agency_client_name", agencyClient)]
            } else {
                form = [("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret)]
            }
        }
        let request = HTTPRequestData(
            method: "POST", url: url,
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
            body: Data(MetaInsightsAPI.formEncoded(form).utf8))
        let response = try await transport.sendOrTransient(request, what: grant.network)
        let now = clock.now().microsecondsSinceEpoch
        guard response.status == 200 else {
            let code = Self.errorCode(response.body)
            let text = "\(grant.network) renewal refused: HTTP \(response.status)" + (code.map { " \($0)" } ?? "")
            if response.status >= 500 { throw PollError.transient(text) }
            if response.status == 429 { throw PollError.retryLater(after: .seconds(60), reason: text) }
            throw PollError.unauthorized(text)
        }
        let document = try AdAPIJSON.parse(response.body, what: "\(grant.network) token answer")
        let access = try document.required("access_token").string()
        guard !access.isEmpty else { throw PollError.badResponse("\(grant.network) token answer: access_token is empty") }
        // VK sends "86400" as a string in one sample and 86400 as a number in another; `integer` reads both.
        let lifetime = try document.member("expires_in")?.integer.map(Int64.init)
        let newRefresh = try document.member("refresh_token").flatMap { try $0.name() } ?? refreshToken
        return TokenStore.Entry(
            accessToken: access, refreshToken: newRefresh, expiresAtMicros: lifetime.map { now + $0 * 1_000_000 },
            obtainedAtMicros: now, configuredFingerprint: Self.fingerprint(grant.configuredRefreshToken))
    }

    /// The OAuth error code of a refusal (`invalid_grant`), from `{"error":"…"}` or VK's `{"error":{"code":…}}`
    /// or `{"code":…}`; the description is left out because some servers echo the request into it.
    static func errorCode(_ body: Data) -> String? {
        guard let document = try? AdAPIJSON.parse(body, what: "OAuth error") else { return nil }
        if let error = try? document.member("error") {
            if let text = try? error.string() { return text }
            if let code = try? error.member("code")?.string() { return code }
        }
        return try? document.member("code")?.string()
    }

    static func fingerprint(_ token: String?) -> String {
        AdStatsRevisions.fnv1a64Hex(token ?? "")
    }
}
