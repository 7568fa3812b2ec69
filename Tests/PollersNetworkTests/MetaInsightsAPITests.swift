import Events
import Foundation
@testable import Pollers
import Testing

/// The pure half of the Meta client: request parameters, pages, report runs, errors and usage headers,
/// with payloads shaped like the Marketing API's (numbers as strings, empty fields left out).
@Suite struct MetaInsightsAPITests {
    static let week = days("2026-01-01", "2026-01-07")

    static func page(_ body: String, clickMetric: MetaInsightsClient.ClickMetric = .linkClicks) throws -> MetaInsightsAPI.Page {
        try MetaInsightsAPI.parsePage(Data(body.utf8), accountID: "1234567890", days: week, clickMetric: clickMetric)
    }

    static func stats(ad: String, campaign: String = "23850000000000001", day text: String, impressions: Int64, clicks: Int64, cost: String, currency: String = "RUB") -> AdStats {
        AdStats(network: "meta", accountID: "1234567890", campaignID: campaign, adID: ad, day: day(text),
                impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: currency)
    }

    @Test func requestParametersAskForOneRowPerAdAndDay() {
        let parameters = MetaInsightsAPI.insightsParameters(days: Self.week, clickMetric: .linkClicks, pageSize: 500)
        #expect(parameters.map { "\($0.0)=\($0.1)" } == [
            "level=ad",
            "time_increment=1",
            #"time_range={"since":"2026-01-01","until":"2026-01-07"}"#,
            "fields=ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,impressions,inline_link_clicks,spend,account_currency,date_start,date_stop",
            "limit=500",
        ])
        let all = MetaInsightsAPI.insightsParameters(days: Self.week, clickMetric: .allClicks, pageSize: 25)
        #expect(all[3].1 == "ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,impressions,clicks,spend,account_currency,date_start,date_stop")
        #expect(all[4].1 == "25")
    }

    @Test func formEncodingEscapesEverythingButUnreservedCharacters() {
        #expect(MetaInsightsAPI.formEncoded([("time_range", #"{"since":"2026-01-01"}"#), ("fields", "a,b"), ("x y", "~._-+&=")])
                == "time_range=%7B%22since%22%3A%222026-01-01%22%7D&fields=a%2Cb&x%20y=~._-%2B%26%3D")
    }

    @Test func pageWithStringFiguresMissingZeroFieldsAndANextCursor() throws {
        let page = try Self.page("""
            {"data":[
              {"ad_id":"23850000000000011","campaign_id":"23850000000000001","impressions":"9708","inline_link_clicks":"123",
               "spend":"5339.5","account_currency":"RUB","date_start":"2026-01-01","date_stop":"2026-01-01"},
              {"ad_id":"23850000000000012","campaign_id":"23850000000000001","impressions":"15",
               "account_currency":"RUB","date_start":"2026-01-07","date_stop":"2026-01-07"},
              {"ad_id":"23850000000000013","campaign_id":"23850000000000002","impressions":"0","inline_link_clicks":"0",
               "spend":"0.01","account_currency":"USD","date_start":"2026-01-03"}
             ],
             "paging":{"cursors":{"before":"MAZDZD","after":"MjQZD"},
                       "next":"https://graph.facebook.com/v25.0/act_1234567890/insights?access_token=t&limit=500&after=MjQZD"}}
            """)
        #expect(page.rows == [
            Self.stats(ad: "23850000000000011", day: "2026-01-01", impressions: 9708, clicks: 123, cost: "5339.5"),
            Self.stats(ad: "23850000000000012", day: "2026-01-07", impressions: 15, clicks: 0, cost: "0"),
            Self.stats(ad: "23850000000000013", campaign: "23850000000000002", day: "2026-01-03", impressions: 0, clicks: 0, cost: "0.01", currency: "USD"),
        ])
        #expect(page.rows[0].cost.description == "5339.5")
        #expect(page.next == URL(string: "https://graph.facebook.com/v25.0/act_1234567890/insights?access_token=t&limit=500&after=MjQZD"))
    }

    @Test func namesOfTheCampaignAdSetAndAdRideInTheRowsAndEmptyNamesAreNone() throws {
        let page = try Self.page("""
            {"data":[
              {"ad_id":"11","ad_name":"Видео: отзыв выпускницы","adset_id":"21","adset_name":"Женщины 25-45, Москва",
               "campaign_id":"31","campaign_name":"Курс дизайна — весна","impressions":"10","account_currency":"RUB","date_start":"2026-01-02"},
              {"ad_id":"12","ad_name":"","adset_id":"22","campaign_id":"31","campaign_name":"Курс дизайна — весна",
               "account_currency":"RUB","date_start":"2026-01-02"}
             ]}
            """)
        #expect(page.rows == [
            AdStats(network: "meta", accountID: "1234567890", campaignID: "31", adID: "11", day: day("2026-01-02"),
                    impressions: 10, clicks: 0, cost: .zero, currency: "RUB", campaignName: "Курс дизайна — весна",
                    adGroupID: "21", adGroupName: "Женщины 25-45, Москва", adName: "Видео: отзыв выпускницы"),
            AdStats(network: "meta", accountID: "1234567890", campaignID: "31", adID: "12", day: day("2026-01-02"),
                    impressions: 0, clicks: 0, cost: .zero, currency: "RUB", campaignName: "Курс дизайна — весна",
                    adGroupID: "22", adGroupName: nil, adName: nil),
        ])
    }

    @Test func lastAndEmptyPagesHaveNoNext() throws {
        #expect(try Self.page(#"{"data":[],"paging":{"cursors":{"before":"MAZDZD","after":"MAZDZD"}}}"#) == .init(rows: [], next: nil))
        #expect(try Self.page(#"{"data":[]}"#) == .init(rows: [], next: nil))
    }

    @Test func allClicksReadsTheClicksField() throws {
        let body = #"{"data":[{"ad_id":"7","campaign_id":"3","impressions":"500","clicks":"41","inline_link_clicks":"30","spend":"100.00","account_currency":"EUR","date_start":"2026-01-02","date_stop":"2026-01-02"}]}"#
        #expect(try Self.page(body, clickMetric: .allClicks).rows.map(\.clicks) == [41])
        #expect(try Self.page(body, clickMetric: .linkClicks).rows.map(\.clicks) == [30])
    }

    @Test(arguments: [
        (#"{"paging":{}}"#, "data is missing"),
        (#"{"data":{}}"#, "data must be an array, got object"),
        (#"[]"#, "$ must be an object, got array"),
        (#"{"data":[{"campaign_id":"3","account_currency":"EUR","date_start":"2026-01-02"}]}"#, "data[0].ad_id is missing"),
        (#"{"data":[{"ad_id":"ad-7","campaign_id":"3","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].ad_id must be a string of digits, got "ad-7""#),
        (#"{"data":[{"ad_id":"7","campaign_id":null,"account_currency":"EUR","date_start":"2026-01-02"}]}"#, "data[0].campaign_id is missing"),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","impressions":"-5","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].impressions must not be negative, got "-5""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","impressions":"1.5","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].impressions must be a whole number, got "1.5""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","impressions":"9007199254740992","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].impressions must be at most 9007199254740991, got "9007199254740992""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","inline_link_clicks":true,"account_currency":"EUR","date_start":"2026-01-02"}]}"#, "data[0].inline_link_clicks must be a count, got boolean"),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","spend":"12,34","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].spend must be a decimal string such as "12.34", got "12,34""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","spend":"-1.00","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].spend must not be negative, got "-1.00""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","spend":"1e3","account_currency":"EUR","date_start":"2026-01-02"}]}"#, #"data[0].spend must be a decimal string such as "12.34", got "1e3""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","account_currency":"rub","date_start":"2026-01-02"}]}"#, #"data[0].account_currency must be a 3-letter ISO 4217 code, got "rub""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","date_start":"2026-01-02"}]}"#, "data[0].account_currency is missing"),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","account_currency":"EUR","date_start":"2026-02-30"}]}"#, #"data[0].date_start must be a date YYYY-MM-DD, got "2026-02-30""#),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","account_currency":"EUR","date_start":"2026-01-01","date_stop":"2026-01-07"}]}"#, "data[0].date_stop must equal date_start 2026-01-01 with time_increment=1, got 2026-01-07"),
        (#"{"data":[{"ad_id":"7","campaign_id":"3","account_currency":"EUR","date_start":"2025-12-31","date_stop":"2025-12-31"}]}"#, "data[0].date_start 2025-12-31 is outside the requested days 2026-01-01...2026-01-07"),
        (#"{"data":[],"paging":{"next":"/v25.0/act_1/insights?after=x"}}"#, #"paging.next must be an absolute http(s) URL, got "/v25.0/act_1/insights?after=x""#),
        (#"{"data":[],"paging":{"next":17}}"#, "paging.next must be a string, got number"),
    ])
    func badPagesNameTheFieldAndTheProblem(body: String, message: String) {
        #expect(throws: PollError.badResponse(message)) { try Self.page(body) }
    }

    @Test func aPageThatIsNotJSONSaysSo() {
        #expect(throws: PollError.badResponse("Meta insights page is not JSON: unexpected '<' at byte 0")) {
            try Self.page("<html>Service Unavailable</html>")
        }
    }

    @Test func reportRunIDIsRead() throws {
        #expect(try MetaInsightsAPI.parseReportRunID(Data(#"{"report_run_id":"6023456789012"}"#.utf8)) == "6023456789012")
        #expect(throws: PollError.badResponse("report_run_id is missing")) {
            try MetaInsightsAPI.parseReportRunID(Data(#"{"id":"6023456789012"}"#.utf8))
        }
    }

    @Test(arguments: [
        (#"{"id":"602","async_status":"Job Not Started","async_percent_completion":0}"#, MetaInsightsAPI.RunStatus.pending(status: "Job Not Started", percent: 0)),
        (#"{"id":"602","async_status":"Job Started","async_percent_completion":0}"#, .pending(status: "Job Started", percent: 0)),
        (#"{"id":"602","async_status":"Job Running","async_percent_completion":45}"#, .pending(status: "Job Running", percent: 45)),
        (#"{"id":"602","async_status":"Job Completed","async_percent_completion":99}"#, .pending(status: "Job Completed", percent: 99)),
        (#"{"id":"602","async_status":"Job Completed","async_percent_completion":100}"#, .completed),
        (#"{"id":"602","async_status":"Job Failed","async_percent_completion":12}"#, .failed(status: "Job Failed")),
        (#"{"id":"602","async_status":"Job Skipped"}"#, .failed(status: "Job Skipped")),
    ])
    func reportRunStatuses(body: String, expected: MetaInsightsAPI.RunStatus) throws {
        #expect(try MetaInsightsAPI.parseRunStatus(Data(body.utf8)) == expected)
    }

    @Test(arguments: [
        (#"{"id":"602","async_status":"Job Exploded","async_percent_completion":10}"#, #"async_status is not a known report status, got "Job Exploded""#),
        (#"{"id":"602","async_status":"Job Running","async_percent_completion":140}"#, "async_percent_completion must be a whole number 0...100"),
        (#"{"id":"602","async_percent_completion":100}"#, "async_status is missing"),
    ])
    func surprisingRunStatuses(body: String, message: String) {
        #expect(throws: PollError.badResponse(message)) { try MetaInsightsAPI.parseRunStatus(Data(body.utf8)) }
    }

    static func error(code: Int, subcode: Int? = nil, message: String, transient: Bool = false) -> String {
        let sub = subcode.map { #","error_subcode":\#($0)"# } ?? ""
        return #"{"error":{"message":"\#(message)","type":"OAuthException","is_transient":\#(transient),"code":\#(code)\#(sub),"fbtrace_id":"AbCdEf"}}"#
    }

    static let usage19 = #"{"1234567890":[{"type":"ads_insights","call_count":100,"total_cputime":12,"total_time":30,"estimated_time_to_regain_access":19,"ads_api_access_tier":"standard_access"}]}"#

    @Test(arguments: [
        (400, ["x-business-use-case-usage": usage19], error(code: 17, subcode: 2446079, message: "(#17) User request limit reached", transient: true),
         PollError.retryLater(after: .seconds(1140), reason: "Meta rate limit: (#17) User request limit reached (code 17/2446079, fbtrace_id AbCdEf)")),
        (400, [:], error(code: 613, subcode: 1487742, message: "There have been too many calls from this ad-account."),
         .retryLater(after: .seconds(300), reason: "Meta rate limit: There have been too many calls from this ad-account. (code 613/1487742, fbtrace_id AbCdEf)")),
        (400, ["x-fb-ads-insights-throttle": #"{"app_id_util_pct":100,"acc_id_util_pct":10,"ads_api_access_tier":"standard_access"}"#],
         error(code: 4, subcode: 1504022, message: "Too many API requests"),
         .retryLater(after: .seconds(300), reason: "Meta rate limit: Too many API requests (code 4/1504022, fbtrace_id AbCdEf)")),
        (400, ["X-Business-Use-Case-Usage": #"{"1":[{"type":"ads_management","estimated_time_to_regain_access":3}],"2":[{"type":"ads_insights","estimated_time_to_regain_access":7},{"type":"custom_audience","estimated_time_to_regain_access":0}]}"#],
         error(code: 80000, subcode: 2446079, message: "There have been too many calls from this ad-account."),
         .retryLater(after: .seconds(420), reason: "Meta rate limit: There have been too many calls from this ad-account. (code 80000/2446079, fbtrace_id AbCdEf)")),
        (400, ["x-ad-account-usage": #"{"acc_id_util_pct":100,"reset_time_duration":95,"ads_api_access_tier":"standard_access"}"#],
         error(code: 80004, message: "Ads management rate limit"),
         .retryLater(after: .seconds(95), reason: "Meta rate limit: Ads management rate limit (code 80004, fbtrace_id AbCdEf)")),
        (400, ["x-business-use-case-usage": "not json"], error(code: 32, message: "Page request limit reached"),
         .retryLater(after: .seconds(300), reason: "Meta rate limit: Page request limit reached (code 32, fbtrace_id AbCdEf)")),
        (429, [:], "", .retryLater(after: .seconds(300), reason: "Meta rate limit: HTTP 429")),
        (400, [:], error(code: 190, subcode: 463, message: "Error validating access token: Session has expired"),
         .unauthorized("Meta refused the access token or its permissions: Error validating access token: Session has expired (code 190/463, fbtrace_id AbCdEf)")),
        (403, [:], error(code: 200, message: "(#200) Requires ads_read permission"),
         .unauthorized("Meta refused the access token or its permissions: (#200) Requires ads_read permission (code 200, fbtrace_id AbCdEf)")),
        (400, [:], error(code: 100, subcode: 33, message: "Unsupported get request."),
         .unauthorized("Meta cannot read the ad account (wrong id, or the token has no access): Unsupported get request. (code 100/33, fbtrace_id AbCdEf)")),
        (500, [:], error(code: 1, message: "An unknown error occurred", transient: true),
         .transient("Meta: An unknown error occurred (code 1, fbtrace_id AbCdEf)")),
        (400, [:], error(code: 2, subcode: 1504043, message: "Your request encountered an intermittent error."),
         .transient("Meta: Your request encountered an intermittent error. (code 2/1504043, fbtrace_id AbCdEf)")),
        (400, [:], error(code: 100, message: "(#100) Invalid parameter"),
         .badResponse("Meta refused the request: (#100) Invalid parameter (code 100, fbtrace_id AbCdEf)")),
        (502, [:], "<html>Bad Gateway</html>", .transient("Meta answered HTTP 502")),
        (404, [:], "nope", .badResponse(#"Meta answered HTTP 404 without an error object: "nope""#)),
    ])
    func errorsMapToWhatThePollerShouldDo(status: Int, headers: [String: String], body: String, expected: PollError) {
        let response = HTTPResponseData(status: status, headers: headers, body: Data(body.utf8))
        #expect(MetaInsightsAPI.pollError(for: response, defaultWait: .seconds(300)) == expected)
    }

    @Test func tooMuchDataAtOnceAsksForAReportRun() throws {
        func asks(_ body: String) throws -> Bool {
            MetaInsightsAPI.asksForSmallerRequest(try #require(MetaInsightsAPI.apiError(in: Data(body.utf8))))
        }
        #expect(try asks(Self.error(code: 100, subcode: 1487534, message: "Please reduce the amount of data you're asking for")))
        #expect(try asks(Self.error(code: 100, subcode: 1504018, message: "Request timed out")))
        #expect(try asks(Self.error(code: 2, subcode: 1504038, message: "Request timed out")))
        #expect(try asks(Self.error(code: -3, subcode: 1504045, message: "Report too large")))
        #expect(try !asks(Self.error(code: 100, subcode: 33, message: "Unsupported get request.")))
        #expect(try !asks(Self.error(code: 17, subcode: 2446079, message: "User request limit reached")))
        #expect(MetaInsightsAPI.apiError(in: Data(#"{"data":[]}"#.utf8)) == nil)
    }

    @Test func duplicateAdAndDayIsRefused() {
        let row = Self.stats(ad: "7", day: "2026-01-02", impressions: 1, clicks: 0, cost: "1")
        #expect(throws: PollError.badResponse("Meta sent ad 7 on 2026-01-02 twice")) {
            try MetaInsightsClient.checkedUnique([row, row])
        }
    }
}
