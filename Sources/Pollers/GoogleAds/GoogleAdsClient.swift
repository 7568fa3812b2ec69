import Foundation
import Events

/// Google Ads API statistics of one customer account: every ad's impressions, clicks and cost per day,
/// in one `googleAds:searchStream` call (REST) with a GAQL query over `ad_group_ad`.
///
/// `ad_id` is `ad_group_ad.ad.id`, the creative id that ValueTrack's `{creative}` puts into `utm_content`.
/// Days are the account's own (its time zone), cost is `cost_micros` ÷ 1,000,000 in the account currency.
public struct GoogleAdsClient: AdNetworkClient {
    /// The production Google Ads API host.
    public static let defaultBaseURL = URL(string: "https://googleads.googleapis.com")!
    /// The API version used unless configured (Google recommends v26 to new users in late 2026).
    public static let defaultAPIVersion = "v26"

    public let source = "google_ads"
    public let network = "google_ads"
    /// The customer's id as digits only (no dashes); the rows' `account_id`.
    public let customerID: String
    private let loginCustomerID: String?
    private let developerToken: String
    private var accessToken: String
    /// Gives each fetch its token; by default the `accessToken` given.
    public let tokens: any AccessTokenProvider
    private let apiVersion: String
    private let baseURL: URL
    private let defaultRetryDelay: Duration
    private let transport: any HTTPTransport

    /// - Parameters:
    ///   - customerID: the account to read, `123-456-7890` or `1234567890`.
    ///   - developerToken: the `developer-token` header.
    ///   - accessToken: an OAuth 2 access token with the `adwords` scope (`Authorization: Bearer`).
    ///   - loginCustomerID: the manager (MCC) account the access goes through, if any (`login-customer-id`).
    ///   - apiVersion: the path segment `vNN`.
    ///   - baseURL: scheme, host and port of the API (tests point it at a loopback fake).
    ///   - defaultRetryDelay: the wait on a quota error that names none.
    /// - Throws: `PollError.unauthorized` naming the parameter when an id or a token is unusable.
    public init(customerID: String, developerToken: String, accessToken: String, loginCustomerID: String? = nil,
                apiVersion: String = GoogleAdsClient.defaultAPIVersion, baseURL: URL = GoogleAdsClient.defaultBaseURL,
                defaultRetryDelay: Duration = .seconds(60), transport: any HTTPTransport = URLSessionTransport(),
                tokens: (any AccessTokenProvider)? = nil) throws {
        func digits(_ text: String, _ name: String) throws -> String {
            let plain = text.replacingOccurrences(of: "-", with: "")
            guard !plain.isEmpty, plain.utf8.allSatisfy(AdAPIJSON.isDigit) else {
                throw PollError.unauthorized("Google Ads \(name) must be digits (dashes allowed), got \(AdAPIJSON.quoted(text))")
            }
            return plain
        }
        func token(_ text: String, _ name: String) throws -> String {
            guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
                throw PollError.unauthorized("Google Ads \(name) is empty or contains white space")
            }
            return text
        }
        self.customerID = try digits(customerID, "customer id")
        self.loginCustomerID = try loginCustomerID.map { try digits($0, "login customer id") }
        self.developerToken = try token(developerToken, "developer token")
        // A renewing provider may start without an access token: it gets one before the first call.
        self.accessToken = tokens == nil ? try token(accessToken, "access token") : accessToken
        self.tokens = tokens ?? FixedAccessToken(accessToken)
        guard apiVersion.count > 1, apiVersion.hasPrefix("v"), apiVersion.utf8.dropFirst().allSatisfy({ AdAPIJSON.isDigit($0) || $0 == UInt8(ascii: ".") }) else {
            throw PollError.unauthorized("Google Ads API version must look like v26, got \(AdAPIJSON.quoted(apiVersion))")
        }
        self.apiVersion = apiVersion
        self.baseURL = baseURL
        self.defaultRetryDelay = defaultRetryDelay
        self.transport = transport
    }

    public func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        try await tokens.withToken { token in
            var client = self
            client.accessToken = token
            return try await client.fetch(days: days)
        }
    }

    private func fetch(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        var text = baseURL.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        let url = URL(string: "\(text)/\(apiVersion)/customers/\(customerID)/googleAds:searchStream")!
        var headers = [
            "Authorization": "Bearer \(accessToken)",
            "developer-token": developerToken,
            "Content-Type": "application/json",
            "Accept": "application/json",
        ]
        if let loginCustomerID { headers["login-customer-id"] = loginCustomerID }
        let request = HTTPRequestData(method: "POST", url: url, headers: headers, body: GoogleAdsAPI.requestBody(days: days))

        let response = try await transport.sendOrTransient(request, what: "Google Ads")
        guard response.status == 200 else {
            throw GoogleAdsAPI.pollError(httpStatus: response.status, body: response.body, defaultRetryDelay: defaultRetryDelay)
        }
        return try GoogleAdsAPI.parseStream(response.body, customerID: customerID, days: days, defaultRetryDelay: defaultRetryDelay)
    }
}
