import Events
import Foundation
import Pollers
import Testing

@Suite("Yandex Direct client against a fake Reports API")
struct YandexDirectClientTests {
    static let days = LocalDate("2026-02-27")!...LocalDate("2026-03-02")!
    static let report = """
        Date\tCampaignId\tCampaignName\tAdGroupId\tAdGroupName\tAdId\tImpressions\tClicks\tCost
        2026-03-01\t55\tКурс Python\t4401\tМосква\t777\t1000\t12\t123450000

        """
    static let ads = #"{"result":{"Ads":[{"Id":777,"Type":"TEXT_AD","TextAd":{"Title":"Python за 3 месяца"}}]}}"#

    /// The Ads service's answer for `/json/v5/ads`, else `report`.
    static func answer(_ request: RecordedRequest, report: @autoclosure () -> HTTPResponseData) -> HTTPResponseData {
        request.path == "/json/v5/ads" ? HTTPResponseData(status: 200, body: Data(ads.utf8)) : report()
    }

    func client(_ base: URL, clock: ManualPollerClock, micros: Bool = true, login: String? = "school-login") -> YandexDirectClient {
        YandexDirectClient(
            configuration: .init(token: "direct-token", clientLogin: login, currency: "RUB", baseURL: base, moneyInMicros: micros),
            transport: URLSessionTransport(timeout: .seconds(60)), clock: clock)
    }

    @Test("queued (201) and building (202) reports are waited out for retryIn seconds, re-sending the identical request")
    func offline() async throws {
        let fake = FakeAPI { request, number in
            switch number {
            case 0: HTTPResponseData(status: 201, headers: ["retryIn": "3", "reportsInQueue": "1"])
            case 1: HTTPResponseData(status: 202, headers: ["retryIn": "2", "reportsInQueue": "1"])
            default:
                Self.answer(request, report: HTTPResponseData(
                    status: 200, headers: ["Content-Type": "text/tab-separated-values"], body: Data(Self.report.utf8)))
            }
        }
        let clock = ManualPollerClock(now: Instant("2026-03-02T09:00:00Z"))
        let rows = try await fake.serve { base in try await client(base, clock: clock).fetchStatistics(days: Self.days) }
        #expect(rows == [AdStats(
            network: "yandex_direct", accountID: "school-login", campaignID: "55", adID: "777", day: LocalDate("2026-03-01")!,
            impressions: 1000, clicks: 12, cost: DecimalNumber("123.45")!, currency: "RUB",
            campaignName: "Курс Python", adGroupID: "4401", adGroupName: "Москва", adName: "Python за 3 месяца")])
        #expect(clock.sleeps == [.seconds(3), .seconds(2)])
        let requests = fake.requests
        #expect(requests.count == 4)
        #expect(Set(requests.prefix(3).map(\.body)).count == 1)
        // The titles: one Ads service call for the report's ads, with the same token and advertiser.
        #expect(requests[3].path == "/json/v5/ads")
        #expect(requests[3].header("Authorization") == "Bearer direct-token")
        #expect(requests[3].header("Client-Login") == "school-login")
        #expect(requests[3].body.contains(#""SelectionCriteria":{"Ids":[777]}"#))
        let first = requests[0]
        #expect(first.method == "POST")
        #expect(first.path == "/json/v5/reports")
        #expect(first.header("Authorization") == "Bearer direct-token")
        #expect(first.header("Client-Login") == "school-login")
        #expect(first.header("processingMode") == "auto")
        #expect(first.header("returnMoneyInMicros") == "true")
        #expect(first.header("skipReportHeader") == "true")
        #expect(first.header("skipReportSummary") == "true")
        #expect(first.body.contains(#""DateFrom":"2026-02-27","DateTo":"2026-03-02""#))
        #expect(first.body.contains(#""ReportType":"CUSTOM_REPORT","DateRangeType":"CUSTOM_DATE""#))
    }

    @Test("returnMoneyInMicros: false gives decimals; no login means no Client-Login and account 'default'")
    func decimals() async throws {
        let fake = FakeAPI { request, _ in
            Self.answer(request, report: HTTPResponseData(
                status: 200, body: Data("Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost\n2026-03-01\t55\t1\t777\t10\t1\t0.50\n".utf8)))
        }
        let clock = ManualPollerClock(now: Instant("2026-03-02T09:00:00Z"))
        let rows = try await fake.serve { base in
            try await client(base, clock: clock, micros: false, login: nil).fetchStatistics(days: Self.days)
        }
        #expect(rows.map(\.cost) == [DecimalNumber("0.5")!])
        #expect(rows.map(\.accountID) == ["default"])
        #expect(rows.map(\.adName) == ["Python за 3 месяца"])
        #expect(fake.requests[0].header("returnMoneyInMicros") == "false")
        #expect(fake.requests[0].header("Client-Login") == nil)
    }

    @Test("error answers become the matching PollError", arguments: [
        (400, 53, "Authorization error", "unauthorized"),
        (400, 54, "No rights", "unauthorized"),
        (400, 152, "Not enough units", "retryLater"),
        (400, 8000, "Invalid request", "badResponse"),
        (500, 1000, "Server temporarily unavailable", "transient"),
        (502, 1002, "Operation error", "transient"),
    ])
    func errors(status: Int, code: Int, text: String, kind: String) async throws {
        let body = #"{"error":{"request_id":"42","error_code":\#(code),"error_string":"\#(text)","error_detail":"detail"}}"#
        let fake = FakeAPI { _, _ in HTTPResponseData(status: status, headers: ["Content-Type": "application/json"], body: Data(body.utf8)) }
        let clock = ManualPollerClock(now: Instant("2026-03-02T09:00:00Z"))
        let error = try await fake.serve { base in
            do {
                _ = try await client(base, clock: clock).fetchStatistics(days: Self.days)
                return PollError.badResponse("no error")
            } catch let error as PollError {
                return error
            } catch {
                return PollError.badResponse("\(error)")
            }
        }
        let message = "Yandex Direct error \(code) \(text): detail (request 42)"
        switch kind {
        case "unauthorized": #expect(error == .unauthorized(message))
        case "retryLater": #expect(error == .retryLater(after: .seconds(60), reason: message))
        case "transient": #expect(error == .transient(message))
        default: #expect(error == .badResponse(message))
        }
    }

    @Test("a report that never finishes ends as retryLater after the configured number of waits")
    func neverFinishes() async throws {
        let fake = FakeAPI { _, _ in HTTPResponseData(status: 202, headers: ["retryIn": "5"]) }
        let clock = ManualPollerClock(now: Instant("2026-03-02T09:00:00Z"))
        let error: PollError? = try await fake.serve { base in
            let client = YandexDirectClient(
                configuration: .init(token: "t", baseURL: base, maxOfflineWaits: 2),
                transport: URLSessionTransport(timeout: .seconds(60)), clock: clock)
            do {
                _ = try await client.fetchStatistics(days: Self.days)
                return nil
            } catch let error as PollError {
                return error
            }
        }
        #expect(error == .retryLater(after: .seconds(5), reason: "Yandex Direct report still being built after 2 waits"))
        #expect(clock.sleeps == [.seconds(5), .seconds(5)])
    }
}
