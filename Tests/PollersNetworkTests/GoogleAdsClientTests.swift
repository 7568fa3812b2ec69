import Events
import Foundation
import Pollers
import Testing

/// The Google Ads client against a loopback fake of `googleAds:searchStream` that checks the request
/// (path, headers, GAQL) and answers in the REST format: batches, quota, credential and server errors.
@Suite struct GoogleAdsClientTests {
    static func client(_ baseURL: URL, loginCustomerID: String? = "987-654-3210") throws -> GoogleAdsClient {
        try GoogleAdsClient(customerID: "123-456-7890", developerToken: "dev-T0ken", accessToken: "ya29.access-token",
                            loginCustomerID: loginCustomerID, baseURL: baseURL, transport: URLSessionTransport(timeout: .seconds(60)))
    }

    static let path = "/v26/customers/1234567890/googleAds:searchStream"

    static let stream = "["
        + #"{"results":[{"customer":{"resourceName":"customers/1234567890","currencyCode":"RUB"},"campaign":{"resourceName":"customers/1234567890/campaigns/55","id":"55","name":"Search"},"#
        + #""adGroup":{"resourceName":"customers/1234567890/adGroups/77","id":"77","name":"Курсы"},"#
        + #""adGroupAd":{"resourceName":"customers/1234567890/adGroupAds/77~999","ad":{"resourceName":"customers/1234567890/ads/999","id":"999"}},"#
        + #""metrics":{"impressions":"1000","clicks":"80","costMicros":"2500000000"},"segments":{"date":"2026-01-02"}}],"#
        + #""fieldMask":"campaign.id,adGroupAd.ad.id,segments.date,metrics.impressions,metrics.clicks,metrics.costMicros,customer.currencyCode","requestId":"abc"},"#
        + #"{"fieldMask":"campaign.id,adGroupAd.ad.id,segments.date,metrics.impressions,metrics.clicks,metrics.costMicros,customer.currencyCode","requestId":"abc","queryResourceConsumption":"40"}"#
        + "]"

    @Test func oneSearchStreamCallWithTheDocumentedHeadersAndQuery() async throws {
        let (rows, requests) = try await FakeAPIServer.run(handler: { request, _ in
            request.method == "POST" && request.path == Self.path ? .json(Self.stream) : .json("[]", status: 404)
        }) { base, server in
            (try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07")), server.requests)
        }
        #expect(rows == [AdStats(network: "google_ads", accountID: "1234567890", campaignID: "55", adID: "999", day: day("2026-01-02"),
                                 impressions: 1000, clicks: 80, cost: DecimalNumber("2500")!, currency: "RUB",
                                 campaignName: "Search", adGroupID: "77", adGroupName: "Курсы")])
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.headers["authorization"] == "Bearer ya29.access-token")
        #expect(request.headers["developer-token"] == "dev-T0ken")
        #expect(request.headers["login-customer-id"] == "9876543210")
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: String])
        #expect(body == [
            "query": "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.responsive_search_ad.headlines, segments.date, metrics.impressions, metrics.clicks, metrics.cost_micros, customer.currency_code FROM ad_group_ad WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-07'",
            "summaryRowSetting": "NO_SUMMARY_ROW",
        ])
    }

    @Test func withoutAManagerAccountNoLoginCustomerIDIsSent() async throws {
        let (rows, requests) = try await FakeAPIServer.run(handler: { _, _ in .json("[]") }) { base, server in
            (try await Self.client(base, loginCustomerID: nil).fetchStatistics(days: days("2026-01-01", "2026-01-01")), server.requests)
        }
        #expect(rows.isEmpty)
        #expect(requests.count == 1)
        #expect(requests[0].headers["login-customer-id"] == nil)
    }

    @Test(arguments: [
        (429, #"[{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure","errors":[{"errorCode":{"quotaError":"RESOURCE_EXHAUSTED"},"message":"Too many requests. Retry in 3600 seconds.","details":{"quotaErrorDetails":{"rateScope":"ACCOUNT","rateName":"Number of operations for basic access","retryDelay":"3600s"}}}],"requestId":"q1"}]}}]"#,
         PollError.retryLater(after: .seconds(3600), reason: "Google Ads quota: RESOURCE_EXHAUSTED 429: Resource has been exhausted (e.g. check quota).; quotaError RESOURCE_EXHAUSTED: Too many requests. Retry in 3600 seconds. (request id q1)")),
        (401, #"[{"error":{"code":401,"message":"Request is missing required authentication credential.","status":"UNAUTHENTICATED"}}]"#,
         .unauthorized("Google Ads refused the credentials: UNAUTHENTICATED 401: Request is missing required authentication credential.")),
        (500, #"[{"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}]"#,
         .transient("Google Ads: INTERNAL 500: Internal error encountered.")),
        (200, #"[{"results":[]},{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}]"#,
         .transient("Google Ads: UNAVAILABLE 503: The service is currently unavailable.")),
        (200, #"{"results":[]}"#, .badResponse("$ must be an array, got object")),
    ])
    func failuresBecomeWhatThePollerShouldDo(status: Int, body: String, expected: PollError) async throws {
        await #expect(throws: expected) {
            try await FakeAPIServer.run(handler: { _, _ in .json(body, status: status) }) { base, _ in
                try await Self.client(base).fetchStatistics(days: days("2026-01-01", "2026-01-07"))
            }
        }
    }

    @Test func noAnswerIsTransient() async throws {
        // A port that was just listening and is now closed: the connection is refused.
        let closed = try await FakeAPIServer.run(handler: { _, _ in .json("[]") }) { base, _ in base }
        await #expect {
            try await Self.client(closed).fetchStatistics(days: days("2026-01-01", "2026-01-07"))
        } throws: { error in
            guard case PollError.transient(let reason)? = error as? PollError else { return false }
            return reason.hasPrefix("Google Ads: no answer: ")
        }
    }

    @Test func unusableSettingsAreRefusedUpFront() {
        #expect(throws: PollError.unauthorized(#"Google Ads customer id must be digits (dashes allowed), got "12a-34""#)) {
            try GoogleAdsClient(customerID: "12a-34", developerToken: "d", accessToken: "a")
        }
        #expect(throws: PollError.unauthorized(#"Google Ads login customer id must be digits (dashes allowed), got """#)) {
            try GoogleAdsClient(customerID: "1", developerToken: "d", accessToken: "a", loginCustomerID: "")
        }
        #expect(throws: PollError.unauthorized("Google Ads developer token is empty or contains white space")) {
            try GoogleAdsClient(customerID: "1", developerToken: " ", accessToken: "a")
        }
        #expect(throws: PollError.unauthorized("Google Ads access token is empty or contains white space")) {
            try GoogleAdsClient(customerID: "1", developerToken: "d", accessToken: "")
        }
        #expect((try? GoogleAdsClient(customerID: "123-456-7890", developerToken: "d", accessToken: "a"))?.customerID == "1234567890")
    }
}
