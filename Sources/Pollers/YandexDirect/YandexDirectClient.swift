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
    public let configuration: Configuration
    private let transport: any HTTPTransport
    private let clock: any PollerClock

    public init(configuration: Configuration, transport: any HTTPTransport, clock: any PollerClock) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
    }

    /// The rows' `account_id`: the client login, or `default` for an advertiser's own token.
    public var accountID: String { configuration.clientLogin.flatMap { $0.isEmpty ? nil : $0 } ?? "default" }

    /// The exact request of a fetch; offline polling re-sends it unchanged, as the API requires.
    public func request(days: ClosedRange<LocalDate>) -> HTTPRequestData {
        var headers = [
            "Authorization": "Bearer \(configuration.token)",
            "Content-Type": "application/json; charset=utf-8",
            "Accept-Language": "en",
            "processingMode": configuration.processingMode,
            "skipReportHeader": "true",
            "skipReportSummary": "true",
        ]
        if let login = configuration.clientLogin, !login.isEmpty { headers["Client-Login"] = login }
        headers["returnMoneyInMicros"] = configuration.moneyInMicros ? "true" : "false"
        return HTTPRequestData(
            method: "POST", url: configuration.baseURL.appendingPathComponent("json/v5/reports"), headers: headers,
            body: Data(YandexDirectReport.requestBody(days: days, includeVAT: configuration.includeVAT).utf8))
    }

    public func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        let request = request(days: days)
        var waits = 0
        while true {
            let response = try await send(request)
            switch response.status {
            case 200:
                do {
                    return try YandexDirectReport.parse(
                        response.text, moneyInMicros: configuration.moneyInMicros, account: accountID, currency: configuration.currency)
                } catch {
                    throw PollError.badResponse("Yandex Direct \(error)")
                }
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
