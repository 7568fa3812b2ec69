import Events
import Foundation

/// A Meta long-lived user or system-user token, checked for its expiry and validity through the Graph API's
/// `GET /debug_token` with the app's own token (`<app id>|<app secret>`).
///
/// Meta offers no refresh grant an unattended poller could use (a long-lived user token is exchanged anew
/// only by its owner), so the best the poller can do is to say ahead of time when the token stops working:
/// the expiry feeds `pipeline_poll_token_expiry_seconds` (so `PollerTokenExpiring` fires three days ahead)
/// and `pipeline poll --check`, and a token Meta calls invalid fails the account with the reason.
public actor MetaCheckedToken: AccessTokenProvider {
    private let token: String
    private let appID: String
    private let appSecret: String
    private let debugURL: URL
    private let transport: any HTTPTransport
    private let clock: any PollerClock
    private let recheckMicros: Int64
    private var expiresAt: Instant?
    private var checkedAt: Instant?
    /// Why the token (or the app's credentials asking about it) cannot be used; thrown by `accessToken()`.
    private var unusable: String?

    /// - Parameters:
    ///   - token: the ad account's access token (`input_token`).
    ///   - appID, appSecret: the Meta app the token was issued to; together they make the app token `debug_token` needs.
    ///   - baseURL: scheme, host and port of the Graph API (tests point it at a loopback fake).
    ///   - recheck: how long an answer stands before the next call asks again (default an hour: one call per poll).
    ///   - configuredExpiry: the configuration's `token_expires_at`, shown until the first answer.
    public init(token: String, appID: String, appSecret: String, baseURL: URL = MetaInsightsClient.defaultBaseURL,
                apiVersion: String = MetaInsightsClient.defaultAPIVersion, transport: any HTTPTransport, clock: any PollerClock,
                recheck: Duration = .seconds(3600), configuredExpiry: Instant? = nil) {
        self.token = token
        self.appID = appID
        self.appSecret = appSecret
        var text = baseURL.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        // The token being inspected must travel as `input_token` (Meta takes it only there); the app token goes in
        // the Authorization header, so the app secret stays out of URLs and access logs.
        debugURL = URL(string: "\(text)/\(apiVersion)/debug_token?" + MetaInsightsAPI.formEncoded([("input_token", token)]))!
        self.transport = transport
        self.clock = clock
        let (seconds, attoseconds) = recheck.components
        recheckMicros = max(seconds * 1_000_000 + attoseconds / 1_000_000_000_000, 0)
        expiresAt = configuredExpiry
    }

    public func accessToken() async throws -> String {
        let now = clock.now()
        if checkedAt.map({ now.microsecondsSinceEpoch - $0.microsecondsSinceEpoch >= recheckMicros }) ?? true {
            try await check(at: now)
        }
        if let unusable { throw PollError.unauthorized(unusable) }
        return token
    }

    /// Meta has no renewal for this token; the next call asks `debug_token` again, so the reason is current.
    public func refused(_ token: String) async -> Bool {
        checkedAt = nil
        return false
    }

    public func status() async -> TokenStatus {
        TokenStatus(expiresAt: expiresAt, renewable: false)
    }

    /// One `debug_token` call. An outage of the Graph API (no answer, HTTP 5xx, a rate limit) leaves the last
    /// answer standing and polling going on: spend matters more than its metadata, and the next call asks again.
    private func check(at now: Instant) async throws {
        let request = HTTPRequestData(url: debugURL, headers: ["Accept": "application/json", "Authorization": "Bearer \(appID)|\(appSecret)"])
        let response: HTTPResponseData
        do {
            response = try await transport.sendOrTransient(request, what: "Meta GET /debug_token")
        } catch PollError.transient {
            return
        }
        guard response.status == 200 else {
            switch MetaInsightsAPI.pollError(for: response, defaultWait: .seconds(300)) {
            case .transient, .retryLater:
                return
            default:
                let detail = MetaInsightsAPI.apiError(in: response.body)?.summary ?? "HTTP \(response.status)"
                unusable = "Meta debug_token refused the app's credentials (app_id_env, app_secret_env): \(detail)"
                checkedAt = now
                return
            }
        }
        let data = try AdAPIJSON.parse(response.body, what: "Meta debug_token answer").required("data")
        guard case .bool(let valid) = try data.required("is_valid").value else {
            throw PollError.badResponse("Meta debug_token answer: data.is_valid must be true or false")
        }
        // 0 means "never"; the earlier of the token's own expiry and its data-access expiry is when reads stop.
        let moments = [try data.member("expires_at"), try data.member("data_access_expires_at")]
            .compactMap { $0?.integer }.filter { $0 > 0 }
        expiresAt = moments.min().map { Instant(microsecondsSinceEpoch: Int64($0) * 1_000_000) }
        checkedAt = now
        if valid {
            unusable = nil
        } else {
            let error = (try? data.member("error")) ?? nil
            let code = error.flatMap { (try? $0.member("code")) ?? nil }?.integer
            let subcode = error.flatMap { (try? $0.member("subcode")) ?? nil }?.integer
            var reason = "Meta says the access token is not valid (debug_token is_valid false"
            if let code { reason += ", code \(code)" + (subcode.map { "/\($0)" } ?? "") }
            if let meaning = subcode.flatMap(Self.subcodeMeaning) { reason += ": \(meaning)" }
            unusable = reason + "); its owner must issue a new one"
        }
    }

    /// The documented `error_subcode`s of an OAuthException 190, in words an operator can act on.
    static func subcodeMeaning(_ subcode: Int) -> String? {
        switch subcode {
        case 458: "the app is no longer installed for the user"
        case 459: "the user must log in to Facebook to unlock the account"
        case 460: "the user changed the password"
        case 463: "the token has expired"
        case 464: "the user is not confirmed"
        case 467: "the token was invalidated (logout or revocation)"
        case 492: "the user is no longer an admin of the page or business"
        default: nil
        }
    }
}
