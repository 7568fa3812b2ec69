import Events
import Foundation

/// VK Ads statistics API v2: lists the account's banners (`banners.json`, paged) and ad groups
/// (`ad_groups.json`, for their names), then asks day statistics for the banners 200 at a time
/// (`statistics/banners/day.json`, the documented maximum).
public struct VKAdsClient: AdNetworkClient {
    /// Where and how to ask.
    public struct Configuration: Sendable {
        /// OAuth access token (`Authorization: Bearer`). Secret.
        public var token: String
        /// The rows' `account_id`: a token sees exactly one account, which the API does not name in statistics.
        public var accountID: String
        /// The account currency (the API's money strings carry none).
        public var currency: String
        /// Default `https://ads.vk.com`.
        public var baseURL: URL
        /// Banners per list page and per statistics request. Default 200 (the statistics limit).
        public var pageSize: Int

        public init(
            token: String, accountID: String = "default", currency: String = "RUB",
            baseURL: URL = URL(string: "https://ads.vk.com")!, pageSize: Int = 200
        ) {
            self.token = token
            self.accountID = accountID
            self.currency = currency
            self.baseURL = baseURL
            self.pageSize = min(max(pageSize, 1), 200)
        }
    }

    public let source = "vk_ads"
    public let network = "vk_ads"
    public private(set) var configuration: Configuration
    private let transport: any HTTPTransport
    /// Gives each fetch its token; by default `configuration.token` as given.
    public let tokens: any AccessTokenProvider

    public init(configuration: Configuration, transport: any HTTPTransport, tokens: (any AccessTokenProvider)? = nil) {
        self.configuration = configuration
        self.transport = transport
        self.tokens = tokens ?? FixedAccessToken(configuration.token)
    }

    public func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        try await tokens.withToken { token in
            var client = self
            client.configuration.token = token
            return try await client.fetch(days: days)
        }
    }

    private func fetch(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        var adGroups: [String: String] = [:]
        var bannerIDs: [String] = []
        var names = VKAdsStatistics.Names()
        var offset = 0
        while true {
            let response = try await get("api/v2/banners.json", query: [
                ("fields", "id,name,ad_group_id"), ("limit", "\(configuration.pageSize)"), ("offset", "\(offset)"),
            ])
            let page: VKAdsStatistics.BannerPage
            do {
                page = try VKAdsStatistics.bannerPage(Array(response.body))
            } catch {
                throw PollError.badResponse("VK Ads banners.json \(error)")
            }
            for banner in page.banners where adGroups[banner.id] == nil {
                adGroups[banner.id] = banner.adGroupID
                bannerIDs.append(banner.id)
            }
            names.banners.merge(page.names) { first, _ in first }
            offset += page.banners.count
            if page.banners.isEmpty || offset >= page.count { break }
        }
        offset = 0
        while !bannerIDs.isEmpty {
            let response = try await get("api/v2/ad_groups.json", query: [
                ("fields", "id,name"), ("limit", "\(configuration.pageSize)"), ("offset", "\(offset)"),
            ])
            let page: (count: Int, items: Int, names: [String: String])
            do {
                page = try VKAdsStatistics.namePage(Array(response.body))
            } catch {
                throw PollError.badResponse("VK Ads ad_groups.json \(error)")
            }
            names.adGroups.merge(page.names) { first, _ in first }
            offset += page.items
            if page.items == 0 || offset >= page.count { break }
        }
        var rows: [AdStats] = []
        var start = 0
        while start < bannerIDs.count {
            let chunk = bannerIDs[start..<min(start + configuration.pageSize, bannerIDs.count)]
            start += chunk.count
            let response = try await get("api/v2/statistics/banners/day.json", query: [
                ("id", chunk.joined(separator: ",")), ("date_from", "\(days.lowerBound)"), ("date_to", "\(days.upperBound)"),
                ("metrics", "base"),
            ])
            do {
                rows += try VKAdsStatistics.dayRows(
                    Array(response.body), adGroups: adGroups, names: names, account: configuration.accountID, currency: configuration.currency)
            } catch {
                throw PollError.badResponse("VK Ads statistics/banners/day.json \(error)")
            }
        }
        return rows
    }

    /// A GET that returns only a 200; every other answer becomes the matching `PollError`.
    private func get(_ path: String, query: [(String, String)]) async throws -> HTTPResponseData {
        var components = URLComponents(url: configuration.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        let request = HTTPRequestData(
            method: "GET", url: components.url!, headers: ["Authorization": "Bearer \(configuration.token)", "Accept": "application/json"])
        let response = try await transport.sendOrTransient(request, what: "VK Ads \(path)")
        guard response.status != 200 else { return response }
        throw Self.error(for: response, path: path)
    }

    /// 429 waits `Retry-After` seconds, else until the exhausted `X-RateLimit-*` window turns (1 s, 1 h,
    /// or 1 h for the daily one: a poller checks back hourly); 401/403 need an operator; 5xx pass.
    static func error(for response: HTTPResponseData, path: String) -> PollError {
        let text = "VK Ads \(path): HTTP \(response.status)" + (VKAdsStatistics.errorText(Array(response.body)).map { ": \($0)" } ?? "")
        switch response.status {
        case 429:
            if let seconds = response.header("Retry-After").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                return .retryLater(after: .seconds(max(seconds, 1)), reason: text)
            }
            func exhausted(_ name: String) -> Bool { response.header(name).flatMap { Int($0) } == 0 }
            if exhausted("X-RateLimit-Daily-Remaining") || exhausted("X-RateLimit-Hourly-Remaining") {
                return .retryLater(after: .seconds(3600), reason: text)
            }
            return .retryLater(after: .seconds(1), reason: text)
        case 401, 403:
            return .unauthorized(text)
        case 500...:
            return .transient(text)
        default:
            return .badResponse(text)
        }
    }
}
