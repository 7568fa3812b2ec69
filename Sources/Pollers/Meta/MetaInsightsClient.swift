import Foundation
import Events

/// Meta (Facebook) Marketing API insights of one ad account: every ad's impressions, clicks and spend per day.
///
/// Short spans are read synchronously (`GET /act_<id>/insights`, cursor paging through `paging.next`);
/// longer spans, or a synchronous request Meta finds too large, go through an asynchronous report run
/// (`POST /act_<id>/insights` → `report_run_id`, polled on the `PollerClock` until `Job Completed`
/// at 100 %, then `GET /<report_run_id>/insights`). Days are the ad account's own (its time zone),
/// spend is in the account currency, both used as given.
public struct MetaInsightsClient: AdNetworkClient {
    /// Which Meta metric becomes SPEC's `clicks`.
    public enum ClickMetric: String, Sendable {
        /// `inline_link_clicks`: clicks on the ad's links to their destination — the clicks that can arrive
        /// at the school's site with the ad's UTM tags, so `cpc` and visits compare like for like. The default.
        case linkClicks = "inline_link_clicks"
        /// `clicks`: every click on the ad, including reactions, comments, profile and "see more" clicks.
        case allClicks = "clicks"
    }

    /// How the access token travels.
    public enum TokenPlacement: Sendable {
        /// `Authorization: Bearer <token>`: accepted by the Graph API and keeps the token out of URLs,
        /// and so out of proxy and access logs. The default.
        case authorizationHeader
        /// The documented `access_token` query (or form) parameter.
        case queryParameter
    }

    /// Tuning of the conversation; every default is what production uses.
    public struct Options: Sendable {
        /// Spans of at most this many days are read synchronously; longer ones through a report run. Default 7.
        public var synchronousDayLimit: Int
        /// Rows asked for per page (`limit`). Default 500.
        public var pageSize: Int
        /// The wait between two looks at a report run. Default 10 s.
        public var reportPollInterval: Duration
        /// How long a report run may take before the poll gives up with `retryLater`. Default 30 min.
        public var reportMaximumWait: Duration
        /// The wait on a rate limit when Meta's usage headers give none. Default 5 min (the development
        /// tier's block time).
        public var rateLimitWait: Duration
        /// A guard against a `paging.next` that never ends. Default 10,000 pages.
        public var maximumPages: Int

        public init(synchronousDayLimit: Int = 7, pageSize: Int = 500, reportPollInterval: Duration = .seconds(10),
                    reportMaximumWait: Duration = .seconds(1800), rateLimitWait: Duration = .seconds(300), maximumPages: Int = 10_000) {
            self.synchronousDayLimit = synchronousDayLimit
            self.pageSize = pageSize
            self.reportPollInterval = reportPollInterval
            self.reportMaximumWait = reportMaximumWait
            self.rateLimitWait = rateLimitWait
            self.maximumPages = maximumPages
        }

        public static let `default` = Options()
    }

    /// The production Graph API host.
    public static let defaultBaseURL = URL(string: "https://graph.facebook.com")!
    /// The Graph API version used unless configured (current in 2026).
    public static let defaultAPIVersion = "v25.0"

    public let source = "meta"
    public let network = "meta"
    /// The ad account's number, without `act_`; the rows' `account_id`.
    public let accountID: String
    private var accessToken: String
    /// Gives each fetch its token; by default the `accessToken` given.
    public let tokens: any AccessTokenProvider
    private let apiVersion: String
    private let baseURL: URL
    private let clickMetric: ClickMetric
    private let tokenPlacement: TokenPlacement
    private let options: Options
    private let transport: any HTTPTransport
    private let clock: any PollerClock

    /// - Parameters:
    ///   - adAccountID: `act_<digits>` or just the digits.
    ///   - accessToken: a system-user (or user) token with `ads_read`.
    ///   - apiVersion: the Graph API version path segment, `vNN.0`.
    ///   - baseURL: scheme, host and port of the Graph API (tests point it at a loopback fake).
    /// - Throws: `PollError.unauthorized` naming the parameter when the account id or the token is unusable.
    public init(adAccountID: String, accessToken: String, apiVersion: String = MetaInsightsClient.defaultAPIVersion,
                baseURL: URL = MetaInsightsClient.defaultBaseURL, clickMetric: ClickMetric = .linkClicks,
                tokenPlacement: TokenPlacement = .authorizationHeader, options: Options = .default,
                transport: any HTTPTransport = URLSessionTransport(), clock: any PollerClock = SystemPollerClock(),
                tokens: (any AccessTokenProvider)? = nil) throws {
        let digits = adAccountID.hasPrefix("act_") ? String(adAccountID.dropFirst(4)) : adAccountID
        guard !digits.isEmpty, digits.utf8.allSatisfy(AdAPIJSON.isDigit) else {
            throw PollError.unauthorized("Meta ad account id must be act_<digits> or <digits>, got \(AdAPIJSON.quoted(adAccountID))")
        }
        guard !accessToken.isEmpty, !accessToken.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw PollError.unauthorized("Meta access token is empty or contains white space")
        }
        guard apiVersion.count > 1, apiVersion.hasPrefix("v"), apiVersion.utf8.dropFirst().allSatisfy({ AdAPIJSON.isDigit($0) || $0 == UInt8(ascii: ".") }) else {
            throw PollError.unauthorized("Meta API version must look like v25.0, got \(AdAPIJSON.quoted(apiVersion))")
        }
        accountID = digits
        self.accessToken = accessToken
        self.tokens = tokens ?? FixedAccessToken(accessToken)
        self.apiVersion = apiVersion
        self.baseURL = baseURL
        self.clickMetric = clickMetric
        self.tokenPlacement = tokenPlacement
        self.options = options
        self.transport = transport
        self.clock = clock
    }

    public func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        try await tokens.withToken { token in
            var client = self
            client.accessToken = token
            return try await client.fetch(days: days)
        }
    }

    private func fetch(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        let rows: [AdStats]
        if days.lowerBound.days(to: days.upperBound) + 1 > options.synchronousDayLimit {
            rows = try await fetchThroughReportRun(days: days)
        } else {
            do {
                rows = try await fetchSynchronously(days: days)
            } catch is TooMuchAtOnce {
                rows = try await fetchThroughReportRun(days: days)
            }
        }
        return try Self.checkedUnique(rows)
    }

    /// Meta said the synchronous request is too large or too slow: the documented remedy is a report run.
    private struct TooMuchAtOnce: Error {}

    private func fetchSynchronously(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        let parameters = MetaInsightsAPI.insightsParameters(days: days, clickMetric: clickMetric, pageSize: options.pageSize)
        return try await readPages(from: url("act_\(accountID)/insights", parameters), days: days, mayAskForReportRun: true)
    }

    private func fetchThroughReportRun(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        var form = MetaInsightsAPI.insightsParameters(days: days, clickMetric: clickMetric, pageSize: options.pageSize)
        if tokenPlacement == .queryParameter { form.append(("access_token", accessToken)) }
        let created = try await send(HTTPRequestData(
            method: "POST", url: url("act_\(accountID)/insights", [], carriesToken: false),
            headers: headers(["Content-Type": "application/x-www-form-urlencoded"]),
            body: Data(MetaInsightsAPI.formEncoded(form).utf8)))
        let runID = try MetaInsightsAPI.parseReportRunID(try checked(created).body)

        let polls = max(1, Int((options.reportMaximumWait / options.reportPollInterval).rounded(.up)))
        var completed = false
        var last = ""
        for poll in 0..<polls {
            if poll > 0 { try await clock.sleep(for: options.reportPollInterval) }
            let answer = try await send(HTTPRequestData(
                url: url(runID, [("fields", "async_status,async_percent_completion")]), headers: headers()))
            switch try MetaInsightsAPI.parseRunStatus(try checked(answer).body) {
            case .completed:
                completed = true
            case .pending(let status, let percent):
                last = "\(status) at \(percent)%"
            case .failed(let status):
                throw PollError.transient("Meta report run \(runID) ended with \(status)")
            }
            if completed { break }
        }
        guard completed else {
            throw PollError.retryLater(after: options.reportPollInterval,
                                       reason: "Meta report run \(runID) still \(last) after \(options.reportMaximumWait)")
        }
        return try await readPages(from: url("\(runID)/insights", [("limit", String(options.pageSize))]), days: days, mayAskForReportRun: false)
    }

    /// Follows `paging.next` from `first` until a page has none.
    private func readPages(from first: URL, days: ClosedRange<LocalDate>, mayAskForReportRun: Bool) async throws -> [AdStats] {
        var rows: [AdStats] = []
        var next: URL? = first
        var visited: Set<URL> = []
        while let page = next {
            guard visited.insert(page).inserted else {
                throw PollError.badResponse("Meta paging.next repeats a page already read: \(page.path)")
            }
            guard visited.count <= options.maximumPages else {
                throw PollError.badResponse("Meta paging.next did not end after \(options.maximumPages) pages")
            }
            let response = try await send(HTTPRequestData(url: withToken(page), headers: headers()))
            if mayAskForReportRun, response.status != 200, let error = MetaInsightsAPI.apiError(in: response.body),
               MetaInsightsAPI.asksForSmallerRequest(error) {
                throw TooMuchAtOnce()
            }
            let parsed = try MetaInsightsAPI.parsePage(try checked(response).body, accountID: accountID, days: days, clickMetric: clickMetric)
            rows += parsed.rows
            if let link = parsed.next {
                // The token goes only where the rest of the conversation goes.
                guard link.scheme?.lowercased() == baseURL.scheme?.lowercased(), link.host?.lowercased() == baseURL.host?.lowercased(),
                      link.port == baseURL.port
                else {
                    throw PollError.badResponse("Meta paging.next points away from \(baseURL.host ?? "the API host"): \(link.host ?? "no host")")
                }
            }
            next = parsed.next
        }
        return rows
    }

    /// One ad on one day is one row at `level=ad` with `time_increment=1`; a repeat would double spend downstream.
    static func checkedUnique(_ rows: [AdStats]) throws -> [AdStats] {
        var seen: Set<String> = []
        for row in rows where !seen.insert("\(row.adID) \(row.day)").inserted {
            throw PollError.badResponse("Meta sent ad \(row.adID) on \(row.day) twice")
        }
        return rows
    }

    // MARK: Transport

    private func url(_ path: String, _ query: [(String, String)], carriesToken: Bool = true) -> URL {
        var items = query
        if tokenPlacement == .queryParameter, carriesToken { items.append(("access_token", accessToken)) }
        var text = baseURL.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        text += "/\(apiVersion)/\(path)"
        if !items.isEmpty { text += "?" + MetaInsightsAPI.formEncoded(items) }
        return URL(string: text)!
    }

    /// A `paging.next` link carries the token only if it was sent as a parameter; add it if it is missing.
    private func withToken(_ link: URL) -> URL {
        guard tokenPlacement == .queryParameter,
              var components = URLComponents(url: link, resolvingAgainstBaseURL: false),
              !(components.queryItems ?? []).contains(where: { $0.name == "access_token" })
        else { return link }
        let extra = MetaInsightsAPI.formEncoded([("access_token", accessToken)])
        components.percentEncodedQuery = components.percentEncodedQuery.map { $0 + "&" + extra } ?? extra
        return components.url ?? link
    }

    private func headers(_ extra: [String: String] = [:]) -> [String: String] {
        var headers = extra
        headers["Accept"] = "application/json"
        if tokenPlacement == .authorizationHeader { headers["Authorization"] = "Bearer \(accessToken)" }
        return headers
    }

    private func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try await transport.sendOrTransient(request, what: "Meta \(request.method) \(request.url.path)")
    }

    /// The answer if it is a success; otherwise the `PollError` it stands for.
    private func checked(_ response: HTTPResponseData) throws -> HTTPResponseData {
        if response.status == 200 { return response }
        throw MetaInsightsAPI.pollError(for: response, defaultWait: options.rateLimitWait)
    }
}
