import Events
import Foundation
@testable import Pollers
import Testing

/// The pure half of the Google Ads client: the GAQL query, the streamed batches (int64 as strings,
/// zero metrics left out, empty batches) and the error envelopes.
@Suite struct GoogleAdsAPITests {
    static let week = days("2026-01-01", "2026-01-07")

    static func parse(_ body: String) throws -> [AdStats] {
        try GoogleAdsAPI.parseStream(Data(body.utf8), customerID: "1234567890", days: week, defaultRetryDelay: .seconds(60))
    }

    static func stats(campaign: String = "55", ad: String, day text: String, impressions: Int64, clicks: Int64, cost: String, currency: String = "RUB") -> AdStats {
        AdStats(network: "google_ads", accountID: "1234567890", campaignID: campaign, adID: ad, day: day(text),
                impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: currency)
    }

    /// One `GoogleAdsRow` as the REST interface writes it.
    static func row(campaign: String = "55", adGroup: String = "77", ad: String, date: String, metrics: String, currency: String = "RUB") -> String {
        #"{"customer":{"resourceName":"customers/1234567890","currencyCode":"\#(currency)"},"#
            + #""campaign":{"resourceName":"customers/1234567890/campaigns/\#(campaign)","id":"\#(campaign)"},"#
            + #""adGroupAd":{"resourceName":"customers/1234567890/adGroupAds/\#(adGroup)~\#(ad)","ad":{"resourceName":"customers/1234567890/ads/\#(ad)","id":"\#(ad)"}},"#
            + #""metrics":{\#(metrics)},"segments":{"date":"\#(date)"}}"#
    }

    static let fieldMask = #""fieldMask":"campaign.id,adGroupAd.ad.id,segments.date,metrics.impressions,metrics.clicks,metrics.costMicros,customer.currencyCode""#

    @Test func theQueryAsksForEveryAdOnEveryDayOfTheSpan() {
        #expect(GoogleAdsAPI.query(days: Self.week) == "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.responsive_search_ad.headlines, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, customer.currency_code FROM ad_group_ad WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-07'")
        #expect(String(decoding: GoogleAdsAPI.requestBody(days: Self.week), as: UTF8.self)
                == #"{"query":"\#(GoogleAdsAPI.query(days: Self.week))","summaryRowSetting":"NO_SUMMARY_ROW"}"#)
    }

    @Test func batchesWithStringIntegersMissingZeroMetricsAndAnEmptyLastBatch() throws {
        let body = "["
            + #"{"results":[\#(Self.row(ad: "999", date: "2026-01-02", metrics: #""impressions":"1000","clicks":"80","costMicros":"2500000000""#))],\#(Self.fieldMask),"requestId":"abc"},"#
            + #"{"results":[\#(Self.row(ad: "1000", date: "2026-01-03", metrics: #""impressions":"12","costMicros":"1234567""#)),"#
            + #"\#(Self.row(campaign: "56", adGroup: "78", ad: "1001", date: "2026-01-07", metrics: #""clicks":"3""#, currency: "USD"))],\#(Self.fieldMask),"requestId":"abc"},"#
            + #"{\#(Self.fieldMask),"requestId":"abc","queryResourceConsumption":"120"}"#
            + "]"
        let rows = try Self.parse(body)
        #expect(rows == [
            Self.stats(ad: "999", day: "2026-01-02", impressions: 1000, clicks: 80, cost: "2500"),
            Self.stats(ad: "1000", day: "2026-01-03", impressions: 12, clicks: 0, cost: "1.234567"),
            Self.stats(campaign: "56", ad: "1001", day: "2026-01-07", impressions: 0, clicks: 3, cost: "0", currency: "USD"),
        ])
        #expect(rows.map(\.cost.description) == ["2500", "1.234567", "0"])
    }

    @Test func namesOfTheCampaignAdGroupAndAdRideInTheRowsWithTheFirstHeadlineForUnnamedAds() throws {
        func named(ad: String, adFields: String) -> String {
            #"{"customer":{"currencyCode":"RUB"},"campaign":{"id":"55","name":"Курс Python — поиск"},"#
                + #""adGroup":{"resourceName":"customers/1234567890/adGroups/77","id":"77","name":"Python для начинающих"},"#
                + #""adGroupAd":{"ad":{"id":"\#(ad)"\#(adFields)}},"metrics":{"impressions":"5"},"segments":{"date":"2026-01-02"}}"#
        }
        let body = #"[{"results":["#
            + named(ad: "900", adFields: #","name":"Баннер 300x250""#) + ","
            + named(ad: "901", adFields: #","type":"RESPONSIVE_SEARCH_AD","responsiveSearchAd":{"headlines":[{"text":"Python с нуля","pinnedField":"HEADLINE_1"},{"text":"За 3 месяца"}]}"#) + ","
            + named(ad: "902", adFields: "")
            + "]}]"
        func stats(_ ad: String, _ name: String?) -> AdStats {
            AdStats(network: "google_ads", accountID: "1234567890", campaignID: "55", adID: ad, day: day("2026-01-02"),
                    impressions: 5, clicks: 0, cost: .zero, currency: "RUB", campaignName: "Курс Python — поиск",
                    adGroupID: "77", adGroupName: "Python для начинающих", adName: name)
        }
        #expect(try Self.parse(body) == [stats("900", "Баннер 300x250"), stats("901", "Python с нуля"), stats("902", nil)])
    }

    @Test func anEmptyStreamHasNoRows() throws {
        #expect(try Self.parse("[]").isEmpty)
        #expect(try Self.parse(#"[{\#(Self.fieldMask),"requestId":"r"}]"#).isEmpty)
    }

    @Test func oneAdInTwoAdGroupsOnOneDayIsAddedUp() throws {
        let body = #"[{"results":["#
            + Self.row(adGroup: "77", ad: "999", date: "2026-01-02", metrics: #""impressions":"1000","clicks":"80","costMicros":"2500000000""#) + ","
            + Self.row(adGroup: "78", ad: "999", date: "2026-01-02", metrics: #""impressions":"10","clicks":"1","costMicros":"10000""#) + ","
            + Self.row(adGroup: "78", ad: "999", date: "2026-01-03", metrics: #""impressions":"5""#)
            + "]}]"
        #expect(try Self.parse(body) == [
            Self.stats(ad: "999", day: "2026-01-02", impressions: 1010, clicks: 81, cost: "2500.01"),
            Self.stats(ad: "999", day: "2026-01-03", impressions: 5, clicks: 0, cost: "0"),
        ])
    }

    @Test(arguments: [
        ("1", "0.000001"), ("10000", "0.01"), ("990000", "0.99"), ("1000000", "1"), ("123456789012", "123456.789012"),
        ("9007199254740991", "9007199254.740991"),
    ])
    func costMicrosAreDividedExactly(micros: String, cost: String) throws {
        let rows = try Self.parse(#"[{"results":[\#(Self.row(ad: "1", date: "2026-01-01", metrics: #""costMicros":"\#(micros)""#))]}]"#)
        #expect(rows.map(\.cost.description) == [cost])
    }

    @Test(arguments: [
        (#"{"results":[]}"#, "$ must be an array, got object"),
        (#"[{"results":{}}]"#, "$[0].results must be an array, got object"),
        (#"[{"results":[{"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"},"customer":{"currencyCode":"RUB"}}]}]"#, "$[0].results[0].campaign is missing"),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"resourceName":"customers/1/ads/9"}},"segments":{"date":"2026-01-02"},"customer":{"currencyCode":"RUB"}}]}]"#, "$[0].results[0].adGroupAd.ad.id is missing"),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"nine"}},"segments":{"date":"2026-01-02"},"customer":{"currencyCode":"RUB"}}]}]"#, #"$[0].results[0].adGroupAd.ad.id must be a string of digits, got "nine""#),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"}}]}]"#, "$[0].results[0].customer is missing"),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"},"customer":{"currencyCode":"Rub"}}]}]"#, #"$[0].results[0].customer.currencyCode must be a 3-letter ISO 4217 code, got "Rub""#),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"customer":{"currencyCode":"RUB"}}]}]"#, "$[0].results[0].segments is missing"),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-08"},"customer":{"currencyCode":"RUB"}}]}]"#, "$[0].results[0].segments.date 2026-01-08 is outside the requested days 2026-01-01...2026-01-07"),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"},"metrics":{"costMicros":"-1"},"customer":{"currencyCode":"RUB"}}]}]"#, #"$[0].results[0].metrics.costMicros must not be negative, got "-1""#),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"},"metrics":{"clicks":"2.0"},"customer":{"currencyCode":"RUB"}}]}]"#, #"$[0].results[0].metrics.clicks must be a whole number, got "2.0""#),
        (#"[{"results":[{"campaign":{"id":"5"},"adGroupAd":{"ad":{"id":"9"}},"segments":{"date":"2026-01-02"},"metrics":[],"customer":{"currencyCode":"RUB"}}]}]"#, "$[0].results[0].metrics must be an object, got array"),
    ])
    func badStreamsNameTheFieldAndTheProblem(body: String, message: String) {
        #expect(throws: PollError.badResponse(message)) { try Self.parse(body) }
    }

    @Test func anErrorThatBrokeTheStreamIsItsLastElement() {
        let body = #"[{"results":[\#(Self.row(ad: "999", date: "2026-01-02", metrics: #""impressions":"1""#))]},"#
            + #"{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}]"#
        #expect(throws: PollError.transient("Google Ads: INTERNAL 500: Internal error encountered.")) { try Self.parse(body) }
    }

    static let quotaError = #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"quotaError":"RESOURCE_EXHAUSTED"},"message":"Too many requests. Retry in 40591 seconds.","details":{"quotaErrorDetails":{"rateScope":"DEVELOPER","rateName":"Number of operations for basic access","retryDelay":"40591s"}}}],"requestId":"xN_KaZRHZuU6Rlgt3cM2uQ"}]}}"#
    static let quotaReason = "Google Ads quota: RESOURCE_EXHAUSTED 429: Resource has been exhausted (e.g. check quota).; quotaError RESOURCE_EXHAUSTED: Too many requests. Retry in 40591 seconds. (request id xN_KaZRHZuU6Rlgt3cM2uQ)"

    @Test(arguments: [
        (429, quotaError, PollError.retryLater(after: .seconds(40591), reason: quotaReason)),
        (429, "[" + quotaError + "]", .retryLater(after: .seconds(40591), reason: quotaReason)),
        (429, #"[{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30.5s"}]}}]"#,
         .retryLater(after: .milliseconds(30_500), reason: "Google Ads quota: RESOURCE_EXHAUSTED 429: Quota exceeded.")),
        (429, #"{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}"#,
         .retryLater(after: .seconds(60), reason: "Google Ads quota: RESOURCE_EXHAUSTED 429: Quota exceeded.")),
        (429, "", .retryLater(after: .seconds(60), reason: "Google Ads quota: HTTP 429")),
        (401, #"[{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"authenticationError":"OAUTH_TOKEN_EXPIRED"},"message":"The OAuth token in the header has expired."}],"requestId":"r1"}]}}]"#,
         .unauthorized("Google Ads refused the credentials: UNAUTHENTICATED 401: Request had invalid authentication credentials.; authenticationError OAUTH_TOKEN_EXPIRED: The OAuth token in the header has expired. (request id r1)")),
        (403, #"{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"authorizationError":"DEVELOPER_TOKEN_NOT_APPROVED"},"message":"The developer token is only approved for use with test accounts."}],"requestId":"r2"}]}}"#,
         .unauthorized("Google Ads refused the credentials: PERMISSION_DENIED 403: The caller does not have permission; authorizationError DEVELOPER_TOKEN_NOT_APPROVED: The developer token is only approved for use with test accounts. (request id r2)")),
        (403, "<html>Forbidden</html>", .unauthorized("Google Ads answered HTTP 403")),
        (400, #"[{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"queryError":"PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"},"message":"Cannot select fields from the following resource."}],"requestId":"r3"}]}}]"#,
         .badResponse("Google Ads refused the query: INVALID_ARGUMENT 400: Request contains an invalid argument.; queryError PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE: Cannot select fields from the following resource. (request id r3)")),
        (500, #"[{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"internalError":"INTERNAL_ERROR"},"message":"An internal error has occurred."}],"requestId":"r4"}]}}]"#,
         .transient("Google Ads: INTERNAL 500: Internal error encountered.; internalError INTERNAL_ERROR: An internal error has occurred. (request id r4)")),
        (503, #"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#,
         .transient("Google Ads: UNAVAILABLE 503: The service is currently unavailable.")),
        (504, "<html>Gateway Timeout</html>", .transient("Google Ads answered HTTP 504")),
        (404, "Not Found", .badResponse(#"Google Ads answered HTTP 404 without an error object: "Not Found""#)),
    ])
    func errorsMapToWhatThePollerShouldDo(status: Int, body: String, expected: PollError) {
        #expect(GoogleAdsAPI.pollError(httpStatus: status, body: Data(body.utf8), defaultRetryDelay: .seconds(60)) == expected)
    }

    @Test(arguments: [
        ("40591s", Duration?.some(.seconds(40591))), ("1.5s", .milliseconds(1500)), ("0.000000001s", .nanoseconds(1)), ("0s", .zero),
        ("15", nil), ("s", nil), ("1.s", nil), ("-1s", nil), ("1.0000000001s", nil), ("1e3s", nil),
    ])
    func protobufDurations(text: String, expected: Duration?) {
        #expect(GoogleAdsAPI.duration(text) == expected)
    }
}
