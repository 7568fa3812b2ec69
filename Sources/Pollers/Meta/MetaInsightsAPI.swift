import Foundation
import Events

/// The Marketing API insights conversation as pure functions: the parameters to send and the
/// reading of every answer (pages, report runs, errors, rate-limit headers), apart from any I/O.
enum MetaInsightsAPI {
    /// One page of insights rows and the cursor URL of the next page, if any.
    struct Page: Equatable {
        var rows: [AdStats]
        var next: URL?
    }

    /// Where an asynchronous report run stands.
    enum RunStatus: Equatable {
        /// Still being built: `Job Not Started`, `Job Started`, `Job Running`, or completed below 100 %.
        case pending(status: String, percent: Int)
        case completed
        /// `Job Failed` or `Job Skipped`: the run will not finish; a new one may.
        case failed(status: String)
    }

    /// The Graph API error object `{"error":{"message","type","code","error_subcode","fbtrace_id"}}`.
    struct APIError: Equatable {
        var code: Int?
        var subcode: Int?
        var message: String
        var type: String?
        var fbtraceID: String?
        var isTransient: Bool

        /// `(#17) User request limit reached (code 17/2446079, fbtrace_id Abc)`: enough for an operator to search.
        var summary: String {
            var codes = code.map { "code \($0)" } ?? "no code"
            if let subcode { codes += "/\(subcode)" }
            if let fbtraceID { codes += ", fbtrace_id \(fbtraceID)" }
            return "\(message) (\(codes))"
        }
    }

    static let pendingStatuses: Set<String> = ["Job Not Started", "Job Started", "Job Running"]
    static let failedStatuses: Set<String> = ["Job Failed", "Job Skipped"]

    /// Throttling codes (Marketing API rate limiting): 4 app, 17 user/account, 32 pages, 613 ad account;
    /// 80000–80099 are the Business Use Case limits (80000 ads_insights, 80004 ads_management, ...).
    static func isRateLimit(code: Int?) -> Bool {
        guard let code else { return false }
        return [4, 17, 32, 613].contains(code) || (80000...80099).contains(code)
    }

    /// Answers that mean "this much data at once is too much": the data-per-call limit (100/1487534),
    /// a synchronous timeout (100/1504018, 2/1504038) or "report too large" (-3/1504045).
    /// The documented remedy is an asynchronous report run.
    static func asksForSmallerRequest(_ error: APIError) -> Bool {
        switch (error.code, error.subcode) {
        case (100, 1487534), (100, 1504018), (2, 1504038), (-3, 1504045): true
        default: false
        }
    }

    // MARK: Requests

    /// The insights parameters for an ad account: one row per ad and day, only the fields SPEC needs.
    ///
    /// `date_stop` is asked for only to check that each row really is one day; the names (`campaign_name`,
    /// `adset_name`, `ad_name`) ride in the same rows (INPUTS §14), as the objects are named now.
    static func insightsParameters(days: ClosedRange<LocalDate>, clickMetric: MetaInsightsClient.ClickMetric, pageSize: Int) -> [(String, String)] {
        [
            ("level", "ad"),
            ("time_increment", "1"),
            ("time_range", "{\"since\":\"\(days.lowerBound)\",\"until\":\"\(days.upperBound)\"}"),
            ("fields", "ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,impressions,\(clickMetric.rawValue),spend,account_currency,date_start,date_stop"),
            ("limit", String(pageSize)),
        ]
    }

    /// `application/x-www-form-urlencoded` / query text: everything but RFC 3986 unreserved characters escaped.
    static func formEncoded(_ items: [(String, String)]) -> String {
        items.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    // MARK: Answers

    /// Reads one page of `/insights` (synchronous, or of a finished report run).
    ///
    /// Meta sends every figure as a string and leaves a field out when it has no value, so a missing
    /// count or spend is 0; ids, the day and the currency must be there.
    static func parsePage(_ body: Data, accountID: String, days: ClosedRange<LocalDate>, clickMetric: MetaInsightsClient.ClickMetric) throws -> Page {
        let document = try AdAPIJSON.parse(body, what: "Meta insights page")
        _ = try document.object()
        var rows: [AdStats] = []
        for row in try document.required("data").array() {
            let day = try row.required("date_start").day()
            if let stop = try row.member("date_stop") {
                let stopDay = try stop.day()
                guard stopDay == day else {
                    throw stop.bad("must equal date_start \(day) with time_increment=1, got \(stopDay)")
                }
            }
            guard days.contains(day) else {
                throw PollError.badResponse("\(row.path).date_start \(day) is outside the requested days \(days.lowerBound)...\(days.upperBound)")
            }
            rows.append(AdStats(
                network: "meta",
                accountID: accountID,
                campaignID: try row.required("campaign_id").identifier(),
                adID: try row.required("ad_id").identifier(),
                day: day,
                impressions: try row.member("impressions")?.count() ?? 0,
                clicks: try row.member(clickMetric.rawValue)?.count() ?? 0,
                cost: try row.member("spend")?.money() ?? .zero,
                currency: try row.required("account_currency").currency(),
                campaignName: try row.member("campaign_name")?.name(),
                adGroupID: try row.member("adset_id")?.identifier(),
                adGroupName: try row.member("adset_name")?.name(),
                adName: try row.member("ad_name")?.name()))
        }
        var next: URL?
        if let paging = try document.member("paging"), let link = try paging.member("next") {
            let text = try link.string()
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil else {
                throw link.bad("must be an absolute http(s) URL, got \(AdAPIJSON.quoted(text))")
            }
            next = url
        }
        return Page(rows: rows, next: next)
    }

    /// Reads the answer to `POST /act_<id>/insights`: `{"report_run_id":"6023..."}`.
    static func parseReportRunID(_ body: Data) throws -> String {
        try AdAPIJSON.parse(body, what: "Meta report run").required("report_run_id").identifier()
    }

    /// Reads `GET /<report_run_id>`: `async_status` and `async_percent_completion` (a number, 0–100).
    static func parseRunStatus(_ body: Data) throws -> RunStatus {
        let document = try AdAPIJSON.parse(body, what: "Meta report run status")
        let statusField = try document.required("async_status")
        let status = try statusField.string()
        let percentField = try document.member("async_percent_completion")
        let percent: Int
        if let percentField {
            guard let value = percentField.integer, (0...100).contains(value) else {
                throw percentField.bad("must be a whole number 0...100")
            }
            percent = value
        } else {
            percent = 0
        }
        if failedStatuses.contains(status) { return .failed(status: status) }
        if status == "Job Completed" { return percent == 100 ? .completed : .pending(status: status, percent: percent) }
        if pendingStatuses.contains(status) { return .pending(status: status, percent: percent) }
        throw statusField.bad("is not a known report status, got \(AdAPIJSON.quoted(status))")
    }

    /// The error object of an answer, or nil when the body carries none.
    static func apiError(in body: Data) -> APIError? {
        guard let document = try? AdAPIJSON.parse(body, what: "Meta error"), document.isObject,
              let error = try? document.member("error"), error.isObject
        else { return nil }
        let message = (try? error.member("message")?.string()) ?? "no message"
        let transient: Bool
        if case .bool(let flag)? = try? error.member("is_transient")?.value { transient = flag } else { transient = false }
        return APIError(
            code: (try? error.member("code"))?.integer,
            subcode: (try? error.member("error_subcode"))?.integer,
            message: message,
            type: try? error.member("type")?.string(),
            fbtraceID: try? error.member("fbtrace_id")?.string(),
            isTransient: transient)
    }

    /// What a failed answer means for the poller: wait (rate limit), an operator (token), retry, or a bug.
    static func pollError(for response: HTTPResponseData, defaultWait: Duration) -> PollError {
        guard let error = apiError(in: response.body) else {
            if response.status == 429 {
                return .retryLater(after: rateLimitWait(response) ?? defaultWait, reason: "Meta rate limit: HTTP 429")
            }
            if response.status >= 500 { return .transient("Meta answered HTTP \(response.status)") }
            let snippet = AdAPIJSON.quoted(response.text)
            return .badResponse("Meta answered HTTP \(response.status) without an error object: \(snippet)")
        }
        if response.status == 429 || isRateLimit(code: error.code) {
            return .retryLater(after: rateLimitWait(response) ?? defaultWait, reason: "Meta rate limit: \(error.summary)")
        }
        if let code = error.code, [190, 102, 10].contains(code) || (200...299).contains(code) {
            return .unauthorized("Meta refused the access token or its permissions: \(error.summary)")
        }
        if error.code == 100, error.subcode == 33 {
            return .unauthorized("Meta cannot read the ad account (wrong id, or the token has no access): \(error.summary)")
        }
        if response.status >= 500 || error.isTransient || error.code == 1 || error.code == 2 || error.code == -2 {
            return .transient("Meta: \(error.summary)")
        }
        return .badResponse("Meta refused the request: \(error.summary)")
    }

    /// How long Meta says to wait, from the usage headers: the largest `estimated_time_to_regain_access`
    /// (minutes) in `X-Business-Use-Case-Usage` or `X-FB-Ads-Insights-Throttle`, or `reset_time_duration`
    /// (seconds) in `X-Ad-Account-Usage`; nil when none is present and above zero.
    static func rateLimitWait(_ response: HTTPResponseData) -> Duration? {
        var seconds = 0
        func minutes(in entry: AdAPIJSON) {
            if let value = (try? entry.member("estimated_time_to_regain_access"))?.integer, value > 0 {
                seconds = max(seconds, value * 60)
            }
        }
        if let header = response.header("x-business-use-case-usage"),
           let document = try? AdAPIJSON.parse(Data(header.utf8), what: "usage header"),
           case .object(let byBusiness) = document.value {
            for key in byBusiness.keys {
                guard case .array(let entries)? = byBusiness[key] else { continue }
                for entry in entries { minutes(in: AdAPIJSON(value: entry, path: key)) }
            }
        }
        if let header = response.header("x-fb-ads-insights-throttle"),
           let document = try? AdAPIJSON.parse(Data(header.utf8), what: "throttle header"), document.isObject {
            minutes(in: document)
        }
        if let header = response.header("x-ad-account-usage"),
           let document = try? AdAPIJSON.parse(Data(header.utf8), what: "account usage header"), document.isObject,
           let value = (try? document.member("reset_time_duration"))?.integer, value > 0 {
            seconds = max(seconds, value)
        }
        return seconds > 0 ? .seconds(seconds) : nil
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
