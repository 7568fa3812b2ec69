import Events
import Foundation
import Pollers
import Testing

/// The Meta client against a loopback fake of the Graph API that checks each request and answers
/// in Meta's format: cursor paging, asynchronous report runs, rate limits and errors.
@Suite struct MetaInsightsClientTests {
    static let token = "EAAB-system-user-token"
    static let account = "1234567890"
    static let syncFields = "ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,impressions,inline_link_clicks,spend,account_currency,date_start,date_stop"

    static func client(_ baseURL: URL, clock: ManualPollerClock = ManualPollerClock(), tokenPlacement: MetaInsightsClient.TokenPlacement = .authorizationHeader,
                       options: MetaInsightsClient.Options = .default) throws -> MetaInsightsClient {
        try MetaInsightsClient(adAccountID: "act_\(account)", accessToken: token, baseURL: baseURL, tokenPlacement: tokenPlacement,
                               options: options, transport: URLSessionTransport(timeout: .seconds(60)), clock: clock)
    }

    static func row(ad: String, day: String, impressions: String, clicks: String?, spend: String?) -> String {
        var fields = [
            #""ad_id":"\#(ad)""#, #""ad_name":"Объявление \#(ad)""#, #""adset_id":"23850000000000101""#,
            #""adset_name":"Москва 25-45""#, #""campaign_id":"23850000000000001""#, #""campaign_name":"Курс Python""#,
            #""impressions":"\#(impressions)""#,
        ]
        if let clicks { fields.append(#""inline_link_clicks":"\#(clicks)""#) }
        if let spend { fields.append(#""spend":"\#(spend)""#) }
        fields += [#""account_currency":"RUB""#, #""date_start":"\#(day)""#, #""date_stop":"\#(day)""#]
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func page(_ rows: [String], next: String?) -> FakeAnswer {
        let paging = next.map { #","paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},"next":"\#($0)"}"# }
            ?? #","paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"}}"#
        return .json(#"{"data":[\#(rows.joined(separator: ","))]\#(paging)}"#)
    }

    static func stats(ad: String, day text: String, impressions: Int64, clicks: Int64, cost: String) -> AdStats {
        AdStats(network: "meta", accountID: account, campaignID: "23850000000000001", adID: ad, day: day(text),
                impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: "RUB",
                campaignName: "Курс Python", adGroupID: "23850000000000101", adGroupName: "Москва 25-45", adName: "Объявление \(ad)")
    }

    static let pageOneRows = [
        row(ad: "11", day: "2026-01-01", impressions: "9708", clicks: "123", spend: "5339.5"),
        row(ad: "12", day: "2026-01-01", impressions: "15", clicks: nil, spend: nil),
    ]
    static let pageTwoRows = [row(ad: "11", day: "2026-01-02", impressions: "100", clicks: "7", spend: "12.34")]
    static let expectedRows = [
        stats(ad: "11", day: "2026-01-01", impressions: 9708, clicks: 123, cost: "5339.5"),
        stats(ad: "12", day: "2026-01-01", impressions: 15, clicks: 0, cost: "0"),
        stats(ad: "11", day: "2026-01-02", impressions: 100, clicks: 7, cost: "12.34"),
    ]

    @Test func synchronousReadFollowsPagingNextWithTheTokenInTheHeader() async throws {
        let (rows, requests) = try await FakeAPIServer.run(handler: { request, base in
            guard request.method == "GET", request.path == "/v25.0/act_\(Self.account)/insights" else { return .json("{}", status: 404) }
            if request.query["after"] == "MjQZD" { return Self.page(Self.pageTwoRows, next: nil) }
            return Self.page(Self.pageOneRows, next: "\(base)/v25.0/act_\(Self.account)/insights?limit=500&after=MjQZD")
        }) { base, server in
            (try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07")), server.requests)
        }
        #expect(rows == Self.expectedRows)
        #expect(requests.count == 2)
        let first = requests[0]
        #expect(first.method == "GET")
        #expect(first.path == "/v25.0/act_1234567890/insights")
        #expect(first.query == [
            "level": "ad", "time_increment": "1", "time_range": #"{"since":"2026-01-01","until":"2026-01-07"}"#,
            "fields": Self.syncFields, "limit": "500",
        ])
        #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.token)" && $0.query["access_token"] == nil })
        #expect(requests[1].query == ["limit": "500", "after": "MjQZD"])
    }

    @Test func tokenAsTheDocumentedQueryParameterAlsoGoesOnANextLinkThatLacksIt() async throws {
        let requests = try await FakeAPIServer.run(handler: { request, base in
            if request.query["after"] == "MjQZD" { return Self.page(Self.pageTwoRows, next: nil) }
            return Self.page(Self.pageOneRows, next: "\(base)/v25.0/act_\(Self.account)/insights?limit=500&after=MjQZD")
        }) { base, server in
            _ = try await Self.client(base, tokenPlacement: .queryParameter).fetchStatistics(days: days("2026-01-01", "2026-01-02"))
            return server.requests
        }
        #expect(requests.map { $0.query["access_token"] } == [Self.token, Self.token])
        #expect(requests.allSatisfy { $0.headers["authorization"] == nil })
    }

    /// A 28-day lookback goes through a report run: created, polled (not started, running, completed) on
    /// the injected clock, then read page by page.
    @Test func longSpansGoThroughAnAsynchronousReportRun() async throws {
        let clock = ManualPollerClock()
        let statuses = [("Job Not Started", 0), ("Job Running", 45), ("Job Completed", 100)]
        let (rows, requests) = try await FakeAPIServer.run(handler: { request, base in
            switch (request.method, request.path) {
            case ("POST", "/v25.0/act_\(Self.account)/insights"):
                return .json(#"{"report_run_id":"6023456789012"}"#)
            case ("GET", "/v25.0/6023456789012"):
                // The run advances one step per wait the client takes on the clock.
                let index = min(clock.sleeps.count, statuses.count - 1)
                let (status, percent) = statuses[index]
                return .json(#"{"id":"6023456789012","account_id":"\#(Self.account)","async_status":"\#(status)","async_percent_completion":\#(percent)}"#)
            case ("GET", "/v25.0/6023456789012/insights"):
                if request.query["after"] == "MjQZD" { return Self.page(Self.pageTwoRows, next: nil) }
                return Self.page(Self.pageOneRows, next: "\(base)/v25.0/6023456789012/insights?limit=500&after=MjQZD")
            default:
                return .json(#"{"error":{"message":"Unknown path components","type":"OAuthException","code":2500}}"#, status: 400)
            }
        }) { base, server in
            (try await Self.client(base, clock: clock).fetchStatistics(days: days("2026-01-01", "2026-01-28")), server.requests)
        }
        #expect(rows == Self.expectedRows)
        #expect(clock.sleeps == [.seconds(10), .seconds(10)])
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "POST /v25.0/act_1234567890/insights",
            "GET /v25.0/6023456789012", "GET /v25.0/6023456789012", "GET /v25.0/6023456789012",
            "GET /v25.0/6023456789012/insights", "GET /v25.0/6023456789012/insights",
        ])
        let create = requests[0]
        #expect(create.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(create.form == [
            "level": "ad", "time_increment": "1", "time_range": #"{"since":"2026-01-01","until":"2026-01-28"}"#,
            "fields": Self.syncFields, "limit": "500",
        ])
        #expect(requests[1].query == ["fields": "async_status,async_percent_completion"])
        #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer \(Self.token)" })
    }

    @Test func aFailedReportRunIsTransient() async throws {
        await #expect(throws: PollError.transient("Meta report run 6023456789012 ended with Job Failed")) {
            try await FakeAPIServer.run(handler: { request, _ in
                request.method == "POST"
                    ? .json(#"{"report_run_id":"6023456789012"}"#)
                    : .json(#"{"id":"6023456789012","async_status":"Job Failed","async_percent_completion":12}"#)
            }) { base, _ in
                try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-28"))
            }
        }
    }

    @Test func aReportRunThatDoesNotFinishInTimeAsksToRetryLater() async throws {
        let clock = ManualPollerClock()
        let options = MetaInsightsClient.Options(reportPollInterval: .seconds(10), reportMaximumWait: .seconds(30))
        await #expect(throws: PollError.retryLater(after: .seconds(10), reason: "Meta report run 6023456789012 still Job Running at 45% after 30.0 seconds")) {
            try await FakeAPIServer.run(handler: { request, _ in
                request.method == "POST"
                    ? .json(#"{"report_run_id":"6023456789012"}"#)
                    : .json(#"{"id":"6023456789012","async_status":"Job Running","async_percent_completion":45}"#)
            }) { base, _ in
                try await Self.client(base, clock: clock, options: options).fetchStatistics(days: days("2026-01-01", "2026-01-28"))
            }
        }
        #expect(clock.sleeps == [.seconds(10), .seconds(10)])
    }

    @Test func aSynchronousRequestMetaFindsTooLargeFallsBackToAReportRun() async throws {
        let (rows, paths) = try await FakeAPIServer.run(handler: { request, _ in
            switch (request.method, request.path) {
            case ("GET", "/v25.0/act_\(Self.account)/insights"):
                return .json(#"{"error":{"message":"Please reduce the amount of data you're asking for, then retry your request","type":"OAuthException","code":100,"error_subcode":1487534,"fbtrace_id":"AbC"}}"#, status: 400)
            case ("POST", _): return .json(#"{"report_run_id":"777"}"#)
            case ("GET", "/v25.0/777"): return .json(#"{"id":"777","async_status":"Job Completed","async_percent_completion":100}"#)
            default: return Self.page(Self.pageTwoRows, next: nil)
            }
        }) { base, server in
            (try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-02")), server.requests.map { "\($0.method) \($0.path)" })
        }
        #expect(rows == [Self.expectedRows[2]])
        #expect(paths == ["GET /v25.0/act_1234567890/insights", "POST /v25.0/act_1234567890/insights", "GET /v25.0/777", "GET /v25.0/777/insights"])
    }

    @Test func aRateLimitWaitsAsLongAsTheUsageHeaderSays() async throws {
        let usage = #"{"1234567890":[{"type":"ads_insights","call_count":100,"total_cputime":12,"total_time":30,"estimated_time_to_regain_access":19}]}"#
        await #expect(throws: PollError.retryLater(after: .seconds(1140), reason: "Meta rate limit: (#17) User request limit reached (code 17/2446079, fbtrace_id AbC)")) {
            try await FakeAPIServer.run(handler: { _, _ in
                .json(#"{"error":{"message":"(#17) User request limit reached","type":"OAuthException","is_transient":true,"code":17,"error_subcode":2446079,"fbtrace_id":"AbC"}}"#,
                      status: 400, headers: ["X-Business-Use-Case-Usage": usage])
            }) { base, _ in
                try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07"))
            }
        }
    }

    @Test func anExpiredTokenNeedsAnOperator() async throws {
        await #expect(throws: PollError.unauthorized("Meta refused the access token or its permissions: Error validating access token: Session has expired on Tuesday, 24-Nov-26 (code 190/463, fbtrace_id AbC)")) {
            try await FakeAPIServer.run(handler: { _, _ in
                .json(#"{"error":{"message":"Error validating access token: Session has expired on Tuesday, 24-Nov-26","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}"#, status: 400)
            }) { base, _ in
                try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07"))
            }
        }
    }

    @Test func aNextLinkToAnotherHostIsNotFollowed() async throws {
        await #expect(throws: PollError.badResponse("Meta paging.next points away from 127.0.0.1: evil.example")) {
            try await FakeAPIServer.run(handler: { _, _ in
                Self.page(Self.pageOneRows, next: "https://evil.example/v25.0/act_1/insights?after=x")
            }) { base, _ in
                try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07"))
            }
        }
    }

    @Test func unusableSettingsAreRefusedUpFront() {
        #expect(throws: PollError.unauthorized(#"Meta ad account id must be act_<digits> or <digits>, got "act_12a""#)) {
            try MetaInsightsClient(adAccountID: "act_12a", accessToken: "t")
        }
        #expect(throws: PollError.unauthorized("Meta access token is empty or contains white space")) {
            try MetaInsightsClient(adAccountID: "12", accessToken: "")
        }
        #expect(throws: PollError.unauthorized(#"Meta API version must look like v25.0, got "25.0""#)) {
            try MetaInsightsClient(adAccountID: "12", accessToken: "t", apiVersion: "25.0")
        }
        #expect((try? MetaInsightsClient(adAccountID: "12", accessToken: "t"))?.accountID == "12")
    }
}
