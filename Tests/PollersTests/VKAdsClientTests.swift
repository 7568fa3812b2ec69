import Events
import Foundation
import Pollers
import Testing

@Suite("VK Ads client against a fake statistics API")
struct VKAdsClientTests {
    static let days = LocalDate("2026-02-24")!...LocalDate("2026-03-02")!

    func client(_ base: URL, pageSize: Int = 2) -> VKAdsClient {
        VKAdsClient(
            configuration: .init(token: "vk-token", accountID: "vk-1", currency: "RUB", baseURL: base, pageSize: pageSize),
            transport: URLSessionTransport(timeout: .seconds(60)))
    }

    static func dayItem(_ id: Int, shows: Int, clicks: Int, spent: String) -> String {
        #"{"id":\#(id),"rows":[{"date":"2026-03-01","base":{"shows":\#(shows),"clicks":\#(clicks),"goals":0,"spent":"\#(spent)","cpm":"0","cpc":"0","cpa":"0","ctr":0,"cr":0}}],"total":{"base":{"shows":\#(shows),"clicks":\#(clicks),"spent":"\#(spent)"}}}"#
    }

    @Test("banners are listed page by page, then asked for in chunks of the page size, with the Bearer token")
    func paging() async throws {
        let fake = FakeAPI { request, _ in
            switch (request.path, request.query["offset"], request.query["id"]) {
            case ("/api/v2/banners.json", "0", _):
                HTTPResponseData(status: 200, body: Data(#"{"count":3,"offset":0,"limit":2,"items":[{"id":11,"name":"Баннер 11","ad_group_id":901},{"id":12,"name":"","ad_group_id":901}]}"#.utf8))
            case ("/api/v2/banners.json", "2", _):
                HTTPResponseData(status: 200, body: Data(#"{"count":3,"offset":2,"limit":2,"items":[{"id":13,"name":"Баннер 13","ad_group_id":902}]}"#.utf8))
            case ("/api/v2/ad_groups.json", "0", _):
                HTTPResponseData(status: 200, body: Data(#"{"count":3,"offset":0,"limit":2,"items":[{"id":900,"name":"Старая"},{"id":901,"name":"Группа 901"}]}"#.utf8))
            case ("/api/v2/ad_groups.json", "2", _):
                HTTPResponseData(status: 200, body: Data(#"{"count":3,"offset":2,"limit":2,"items":[{"id":902,"name":"Группа 902"}]}"#.utf8))
            case ("/api/v2/statistics/banners/day.json", _, "11,12"):
                HTTPResponseData(status: 200, headers: ["X-RateLimit-RPS-Remaining": "4"], body: Data(
                    #"{"items":[\#(Self.dayItem(11, shows: 100, clicks: 3, spent: "45.10")),\#(Self.dayItem(12, shows: 7, clicks: 0, spent: "0.70"))],"total":{}}"#.utf8))
            case ("/api/v2/statistics/banners/day.json", _, "13"):
                HTTPResponseData(status: 200, body: Data(#"{"items":[\#(Self.dayItem(13, shows: 50, clicks: 1, spent: "9"))],"total":{}}"#.utf8))
            default:
                HTTPResponseData(status: 404, body: Data(#"{"error":{"code":"ERR_WRONG_RESOURCE","message":"unexpected"}}"#.utf8))
            }
        }
        let rows = try await fake.serve { base in try await client(base).fetchStatistics(days: Self.days) }
        func row(_ group: String, _ ad: String, _ shows: Int64, _ clicks: Int64, _ spent: String, _ groupName: String, _ adName: String?) -> AdStats {
            AdStats(network: "vk_ads", accountID: "vk-1", campaignID: group, adID: ad, day: LocalDate("2026-03-01")!,
                    impressions: shows, clicks: clicks, cost: DecimalNumber(spent)!, currency: "RUB",
                    campaignName: groupName, adGroupID: group, adGroupName: groupName, adName: adName)
        }
        #expect(rows == [
            row("901", "11", 100, 3, "45.10", "Группа 901", "Баннер 11"), row("901", "12", 7, 0, "0.70", "Группа 901", nil),
            row("902", "13", 50, 1, "9", "Группа 902", "Баннер 13"),
        ])
        let requests = fake.requests
        #expect(requests.map(\.path) == [
            "/api/v2/banners.json", "/api/v2/banners.json", "/api/v2/ad_groups.json", "/api/v2/ad_groups.json",
            "/api/v2/statistics/banners/day.json", "/api/v2/statistics/banners/day.json",
        ])
        #expect(requests.allSatisfy { $0.header("Authorization") == "Bearer vk-token" })
        #expect(requests[0].query["fields"] == "id,name,ad_group_id")
        #expect(requests[2].query["fields"] == "id,name")
        #expect(requests[4].query == ["id": "11,12", "date_from": "2026-02-24", "date_to": "2026-03-02", "metrics": "base"])
    }

    @Test("429 waits Retry-After, or an hour when the hourly or daily quota is spent; 401/403 need an operator; 5xx pass", arguments: [
        (429, ["Retry-After": "7"], "retryLater 7"),
        (429, ["X-RateLimit-Hourly-Remaining": "0", "X-RateLimit-Hourly-Limit": "3600"], "retryLater 3600"),
        (429, ["X-RateLimit-RPS-Remaining": "0"], "retryLater 1"),
        (401, [:], "unauthorized"),
        (403, [:], "unauthorized"),
        (503, [:], "transient"),
        (400, [:], "badResponse"),
    ])
    func errors(status: Int, headers: [String: String], expected: String) async throws {
        let body = #"{"error":{"code":"ERR_LIMIT_EXCEEDED","message":"slow down"}}"#
        let fake = FakeAPI { _, _ in HTTPResponseData(status: status, headers: headers, body: Data(body.utf8)) }
        let error: PollError? = try await fake.serve { base in
            do {
                _ = try await client(base).fetchStatistics(days: Self.days)
                return nil
            } catch let error as PollError {
                return error
            }
        }
        let text = "VK Ads api/v2/banners.json: HTTP \(status): ERR_LIMIT_EXCEEDED: slow down"
        switch expected {
        case "retryLater 7": #expect(error == .retryLater(after: .seconds(7), reason: text))
        case "retryLater 3600": #expect(error == .retryLater(after: .seconds(3600), reason: text))
        case "retryLater 1": #expect(error == .retryLater(after: .seconds(1), reason: text))
        case "unauthorized": #expect(error == .unauthorized(text))
        case "transient": #expect(error == .transient(text))
        default: #expect(error == .badResponse(text))
        }
    }
}
