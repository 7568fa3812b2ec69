import Events
import Foundation

/// Yandex Direct's Reports API v5: one `CUSTOM_REPORT` per fetch with Date, CampaignId, AdGroupId,
/// AdId, Impressions, Clicks and Cost, waiting out offline generation (201/202 + `retryIn`) on the clock.
public struct YandexDirectClient: AdNetworkClient {
    /// Where and how to ask.
    public struct Configuration: Sendable {
        /// OAuth token (`Authorization: Bearer`). Secret.
        public var token: String
        /// The advertiser's login (`Client-Login`); required for agency tokens, and the rows' `account_id`.
        public var clientLogin: String?
        /// The account currency: Direct reports money in it and does not say which it is.
        public var currency: String
        /// Default `https://api.direct.yandex.com`; the sandbox is `https://api-sandbox.direct.yandex.com`.
        public var baseURL: URL
        /// Ask for money in micros (the API's default) rather than decimals (`returnMoneyInMicros: false`). Default true.
        public var moneyInMicros: Bool
        /// `IncludeVAT`. Default false: spend without VAT, which is what the network charges against the budget.
        public var includeVAT: Bool
        /// `processingMode`: `auto` (default), `online` or `offline`.
        public var processingMode: String
        /// Offline answers (201/202) waited out per fetch before giving up with `retryLater`. Default 60.
        public var maxOfflineWaits: Int

        public init(
            token: String, clientLogin: String? = nil, currency: String = "RUB",
            baseURL: URL = URL(string: "https://api.direct.yandex.com")!, moneyInMicros: Bool = true,
            includeVAT: Bool = false, processingMode: String = "auto", maxOfflineWaits: Int = 60
        ) {
            self.token = token
            self.clientLogin = clientLogin
            self.currency = currency
            self.baseURL = baseURL
            self.moneyInMicros = moneyInMicros
            self.includeVAT = includeVAT
            self.processingMode = processingMode
            self.maxOfflineWaits = maxOfflineWaits
        }
    }

    public let source = "yandex_direct"
    public let network = "yandex_direct"
    public private(set) var configuration: Configuration
    private let transport: any HTTPTransport
    private let clock: any PollerClock
    /// Gives each fetch its token; by default `configuration.token` as given.
    public let tokens: any AccessTokenProvider

    public init(configuration: Configuration, transport: any HTTPTransport, clock: any PollerClock, tokens: (any AccessTokenProvider)? = nil) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.tokens = tokens ?? FixedAccessToken(configuration.token)
    }

    /// The rows' `account_id`: the client login, or `default` for an advertiser's own token.
    public var accountID: String { configuration.clientLogin.flatMap { $0.isEmpty ? nil : $0 } ?? "default" }

    /// The headers of every call: the token, the advertiser (`Client-Login`, for agency tokens), JSON, English errors.
    private func commonHeaders() -> [String: String] {
        var headers = [
            "Authorization": "Bearer \(configuration.token)",
            "Content-Type": "application/json; charset=utf-8",
            "Accept-Language": "en",
        ]
        if let login = configuration.clientLogin, !login.isEmpty { headers["Client-Login"] = login }
        return headers
    }

    /// The exact request of a fetch; offline polling re-sends it unchanged, as the API requires.
    public func request(days: ClosedRange<LocalDate>) -> HTTPRequestData {
        var headers = commonHeaders()
        headers["processingMode"] = configuration.processingMode
        headers["skipReportHeader"] = "true"
        headers["skipReportSummary"] = "true"
        headers["returnMoneyInMicros"] = configuration.moneyInMicros ? "true" : "false"
        return HTTPRequestData(
            method: "POST", url: configuration.baseURL.appendingPathComponent("json/v5/reports"), headers: headers,
            body: Data(YandexDirectReport.requestBody(days: days, includeVAT: configuration.includeVAT).utf8))
    }

    public func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        try await tokens.withToken { token in
            var client = self
            client.configuration.token = token
            return try await client.fetch(days: days)
        }
    }

    private func fetch(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        let request = request(days: days)
        var waits = 0
        while true {
            let response = try await send(request)
            switch response.status {
            case 200:
                var rows: [AdStats]
                do {
                    rows = try YandexDirectReport.parse(
                        response.text, moneyInMicros: configuration.moneyInMicros, account: accountID, currency: configuration.currency)
                } catch {
                    throw PollError.badResponse("Yandex Direct \(error)")
                }
                let titles = try await adTitles(Set(rows.map(\.adID).filter { !$0.isEmpty }).sorted())
                for index in rows.indices { rows[index].adName = titles[rows[index].adID] }
                return rows
            case 201, 202:
                let seconds = response.header("retryIn").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 10
                waits += 1
                guard waits <= configuration.maxOfflineWaits else {
                    throw PollError.retryLater(after: .seconds(seconds), reason: "Yandex Direct report still being built after \(waits - 1) waits")
                }
                try await clock.sleep(for: .seconds(max(seconds, 1)))
            default:
                throw Self.error(for: response)
            }
        }
    }

    /// The titles of `ids` from the Ads service, 10,000 ids per request (its selection limit), following
    /// `LimitedBy` pages; the report has no ad names, so this is where `ad_name` comes from.
    func adTitles(_ ids: [String]) async throws -> [String: String] {
        var titles: [String: String] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 10_000, ids.count)])
            start += chunk.count
            var offset: Int? = 0
            while let page = offset {
                let request = HTTPRequestData(
                    method: "POST", url: configuration.baseURL.appendingPathComponent("json/v5/ads"), headers: commonHeaders(),
                    body: Data(YandexDirectReport.adsGetBody(ids: chunk, offset: page).utf8))
                let response = try await send(request)
                guard response.status == 200, let answer = YandexDirectReport.adTitles(Array(response.body)) else {
                    throw Self.error(for: response)
                }
                titles.merge(answer.titles) { _, new in new }
                offset = answer.nextOffset
            }
        }
        return titles
    }

    private func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try await transport.sendOrTransient(request, what: "Yandex Direct")
    }

    /// Error codes from the API's list: 53 (invalid token), 54 (no rights), 58 (unfinished registration),
    /// 513 (login not linked) need an operator; 52 and 1000–1002 are the server's own and pass; 152 (no points
    /// left) and 56/506 (too many requests) pass with time; anything else in a 400 is our request.
    static func error(for response: HTTPResponseData) -> PollError {
        let apiError = YandexDirectReport.apiError(Array(response.body))
        let text = apiError?.description ?? "HTTP \(response.status): \(response.text.prefix(300))"
        switch (response.status, apiError?.code) {
        case (_, 53?), (_, 54?), (_, 58?), (_, 513?), (401, _), (403, _):
            return .unauthorized("Yandex Direct \(text)")
        case (_, 52?), (_, 1000?), (_, 1001?), (_, 1002?):
            return .transient("Yandex Direct \(text)")
        case (_, 152?), (_, 56?), (_, 506?), (_, 9000?), (429, _):
            let seconds = response.header("retryIn").flatMap { Int($0) } ?? 60
            return .retryLater(after: .seconds(seconds), reason: "Yandex Direct \(text)")
        case (500..., _):
            return .transient("Yandex Direct \(text)")
        default:
            return .badResponse("Yandex Direct \(text)")
        }
    }
}
