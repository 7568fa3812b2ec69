import Foundation
import Events

/// The Google Ads `googleAds:searchStream` conversation as pure functions: the GAQL query to send and
/// the reading of the streamed answer and of its errors, apart from any I/O.
enum GoogleAdsAPI {
    /// The error object of Google's APIs (`google.rpc.Status` in JSON), with the Google Ads failure details.
    struct APIError: Equatable {
        /// One `GoogleAdsError`: its code kind and value (`quotaError` / `RESOURCE_EXHAUSTED`) and message.
        struct Failure: Equatable {
            var kind: String
            var value: String
            var message: String
        }

        var code: Int?
        var status: String?
        var message: String
        var failures: [Failure]
        /// The longest `retryDelay` among the quota error details and `google.rpc.RetryInfo`.
        var retryDelay: Duration?
        var requestID: String?

        /// `RESOURCE_EXHAUSTED 429: Resource has been exhausted; quotaError RESOURCE_EXHAUSTED: Too many requests (request id X)`.
        var summary: String {
            var text = [status, code.map(String.init)].compactMap { $0 }.joined(separator: " ")
            text += (text.isEmpty ? "" : ": ") + message
            for failure in failures { text += "; \(failure.kind) \(failure.value): \(failure.message)" }
            if let requestID { text += " (request id \(requestID))" }
            return text
        }

        func hasFailure(ofKind kind: String) -> Bool { failures.contains { $0.kind == kind } }
    }

    /// The ad-level daily query. `customer.currency_code` rides along on every row (customer is
    /// attributed to every resource), so no second query is needed for the currency.
    /// The names (`campaign.name`, `ad_group.name`, `ad_group_ad.ad.name`) ride in the same rows (INPUTS §14);
    /// an ad's own name is empty for most ad types (responsive search ads), so the first headline of a
    /// responsive search ad stands in for it.
    static func query(days: ClosedRange<LocalDate>) -> String {
        "SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, "
            + "ad_group_ad.ad.responsive_search_ad.headlines, segments.date, metrics.impressions, metrics.clicks, "
            + "metrics.cost_micros, customer.currency_code FROM ad_group_ad "
            + "WHERE segments.date BETWEEN '\(days.lowerBound)' AND '\(days.upperBound)'"
    }

    /// The `SearchGoogleAdsStreamRequest` body.
    static func requestBody(days: ClosedRange<LocalDate>) -> Data {
        // The query holds only digits, dashes, letters, spaces, commas, dots and single quotes: no JSON escaping needed.
        Data("{\"query\":\"\(query(days: days))\",\"summaryRowSetting\":\"NO_SUMMARY_ROW\"}".utf8)
    }

    /// Reads a whole streamed answer: a JSON array of `SearchGoogleAdsStreamResponse` batches, each with
    /// `results` (absent in an empty batch). int64 fields come as strings and zero metrics may be left
    /// out; an error that broke the stream comes as a last element `{"error":{...}}`.
    ///
    /// Rows of the same campaign, ad and day (one ad in two ad groups) are added together: SPEC's
    /// `ad_stats` key has no ad group.
    static func parseStream(_ body: Data, customerID: String, days: ClosedRange<LocalDate>, defaultRetryDelay: Duration) throws -> [AdStats] {
        let document = try AdAPIJSON.parse(body, what: "Google Ads searchStream answer")
        if document.isObject, let error = apiError(in: document) {
            throw pollError(httpStatus: 200, error: error, defaultRetryDelay: defaultRetryDelay)
        }
        var rows: [AdStats] = []
        var index: [String: Int] = [:]
        for batch in try document.array() {
            if let error = apiError(in: batch) {
                throw pollError(httpStatus: 200, error: error, defaultRetryDelay: defaultRetryDelay)
            }
            guard let results = try batch.member("results") else { continue }
            for row in try results.array() {
                let stats = try parseRow(row, customerID: customerID, days: days)
                let key = "\(stats.campaignID) \(stats.adID) \(stats.day)"
                if let existing = index[key] {
                    guard rows[existing].currency == stats.currency else {
                        throw PollError.badResponse("\(row.path).customer.currencyCode \(stats.currency) differs from \(rows[existing].currency) of the same ad and day")
                    }
                    rows[existing].impressions += stats.impressions
                    rows[existing].clicks += stats.clicks
                    rows[existing].cost += stats.cost
                } else {
                    index[key] = rows.count
                    rows.append(stats)
                }
            }
        }
        return rows
    }

    static func parseRow(_ row: AdAPIJSON, customerID: String, days: ClosedRange<LocalDate>) throws -> AdStats {
        let day = try row.required("segments").required("date").day()
        guard days.contains(day) else {
            throw PollError.badResponse("\(row.path).segments.date \(day) is outside the requested days \(days.lowerBound)...\(days.upperBound)")
        }
        let metrics = try row.member("metrics")
        let micros = try metrics?.member("costMicros")?.count() ?? 0
        let ad = try row.required("adGroupAd").required("ad")
        var adName = try ad.member("name")?.name()
        if adName == nil, let headlines = try ad.member("responsiveSearchAd")?.member("headlines")?.array() {
            for headline in headlines where adName == nil { adName = try headline.member("text")?.name() }
        }
        let adGroup = try row.member("adGroup")
        return AdStats(
            network: "google_ads",
            accountID: customerID,
            campaignID: try row.required("campaign").required("id").identifier(),
            adID: try ad.required("id").identifier(),
            day: day,
            impressions: try metrics?.member("impressions")?.count() ?? 0,
            clicks: try metrics?.member("clicks")?.count() ?? 0,
            // cost_micros is a whole number of millionths of the account currency: exact by construction.
            cost: DecimalNumber(significand: Int128(micros), scale: 6).normalized,
            currency: try row.required("customer").required("currencyCode").currency(),
            campaignName: try row.required("campaign").member("name")?.name(),
            adGroupID: try adGroup?.member("id")?.identifier(),
            adGroupName: try adGroup?.member("name")?.name(),
            adName: adName)
    }

    /// The error of an answer (`{"error":{...}}`, or that object as the first element of an array, as
    /// Google's gateway wraps errors of streaming methods); nil when it carries none.
    static func apiError(in body: Data) -> APIError? {
        guard let document = try? AdAPIJSON.parse(body, what: "Google Ads error") else { return nil }
        if case .array(let items) = document.value, let first = items.first {
            return apiError(in: AdAPIJSON(value: first, path: "$[0]"))
        }
        return apiError(in: document)
    }

    static func apiError(in value: AdAPIJSON) -> APIError? {
        guard value.isObject, let error = try? value.member("error"), error.isObject else { return nil }
        var result = APIError(
            code: (try? error.member("code"))?.integer,
            status: try? error.member("status")?.string(),
            message: (try? error.member("message")?.string()) ?? "no message",
            failures: [], retryDelay: nil, requestID: nil)
        func noteDelay(_ field: AdAPIJSON?) {
            guard let text = try? field?.string(), let delay = duration(text) else { return }
            result.retryDelay = max(result.retryDelay ?? .zero, delay)
        }
        for detail in (try? error.member("details")?.array()) ?? [] {
            let type = (try? detail.member("@type")?.string()) ?? ""
            if type.hasSuffix(".GoogleAdsFailure") {
                if let id = try? detail.member("requestId")?.string() { result.requestID = id }
                for failure in (try? detail.member("errors")?.array()) ?? [] {
                    let message = (try? failure.member("message")?.string()) ?? ""
                    if let code = try? failure.member("errorCode"), let object = try? code.object(), let kind = object.keys.first {
                        let value: String = if case .string(let text)? = object[kind] { text } else { "" }
                        result.failures.append(.init(kind: kind, value: value, message: message))
                    } else {
                        result.failures.append(.init(kind: "unknownError", value: "", message: message))
                    }
                    noteDelay((try? failure.member("details"))?.memberOrNil("quotaErrorDetails")?.memberOrNil("retryDelay"))
                }
            } else if type.hasSuffix("google.rpc.RetryInfo") {
                noteDelay(try? detail.member("retryDelay"))
            }
        }
        return result
    }

    /// What a failed answer means for the poller.
    static func pollError(httpStatus: Int, body: Data, defaultRetryDelay: Duration) -> PollError {
        guard let error = apiError(in: body) else {
            if httpStatus == 429 { return .retryLater(after: defaultRetryDelay, reason: "Google Ads quota: HTTP 429") }
            if httpStatus == 401 || httpStatus == 403 { return .unauthorized("Google Ads answered HTTP \(httpStatus)") }
            if httpStatus >= 500 { return .transient("Google Ads answered HTTP \(httpStatus)") }
            return .badResponse("Google Ads answered HTTP \(httpStatus) without an error object: \(AdAPIJSON.quoted(String(decoding: body, as: UTF8.self)))")
        }
        return pollError(httpStatus: httpStatus, error: error, defaultRetryDelay: defaultRetryDelay)
    }

    static func pollError(httpStatus: Int, error: APIError, defaultRetryDelay: Duration) -> PollError {
        if error.status == "RESOURCE_EXHAUSTED" || httpStatus == 429 || error.code == 429 || error.hasFailure(ofKind: "quotaError") {
            return .retryLater(after: error.retryDelay ?? defaultRetryDelay, reason: "Google Ads quota: \(error.summary)")
        }
        if ["UNAUTHENTICATED", "PERMISSION_DENIED"].contains(error.status) || [401, 403].contains(httpStatus)
            || error.hasFailure(ofKind: "authenticationError") || error.hasFailure(ofKind: "authorizationError") {
            return .unauthorized("Google Ads refused the credentials: \(error.summary)")
        }
        if ["INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED"].contains(error.status) || httpStatus >= 500
            || error.hasFailure(ofKind: "internalError") {
            return .transient("Google Ads: \(error.summary)")
        }
        return .badResponse("Google Ads refused the query: \(error.summary)")
    }

    /// A protobuf `Duration` in JSON: seconds with up to nine fraction digits and an `s` (`"40591s"`, `"1.5s"`).
    static func duration(_ text: String) -> Duration? {
        guard text.hasSuffix("s") else { return nil }
        let number = text.dropLast()
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].count <= 12,
              parts[0].utf8.allSatisfy(AdAPIJSON.isDigit), let seconds = Int64(parts[0])
        else { return nil }
        var nanoseconds: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.utf8.allSatisfy(AdAPIJSON.isDigit) else { return nil }
            nanoseconds = Int64(fraction + String(repeating: "0", count: 9 - fraction.count))!
        }
        return .seconds(seconds) + .nanoseconds(nanoseconds)
    }
}

private extension AdAPIJSON {
    /// `member(key)` for chains that already tolerate a missing value.
    func memberOrNil(_ key: String) -> AdAPIJSON? {
        (try? member(key)) ?? nil
    }
}
