import Events
import Foundation
import Pollers

/// Loopback fakes of the four networks' statistics APIs and OAuth servers behind one port, on the test's
/// clock: access tokens that expire (401 afterwards), Yandex refresh tokens that rotate on every use, VK
/// refresh that kills the previous access token at once. Every ad spends on every day from `firstDay` to the
/// clock's today (Moscow), with figures that depend only on the account, the ad and the day, so a re-poll
/// gives the same figures. Each statistics call is written to the transcript with its token's state.
final class SimulatedNetworks: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched only under `lock`.
    private let lock = NSLock()
    let clock: ManualPollerClock
    let firstDay: LocalDate
    static let moscow = TimeZone(identifier: "Europe/Moscow")!

    /// One statistics call: who, when, with which token, and whether that token was live.
    struct Call: Sendable {
        var network: String
        var account: String
        var at: Instant
        var token: String
        var live: Bool
    }

    private struct Token {
        var account: String
        var expires: Instant?
    }

    private var accessTokens: [String: Token] = [:]
    private var refreshTokens: [String: String] = [:]  // refresh token → account
    private var issued = 0
    private(set) var calls: [Call] = []
    private(set) var renewals: [String] = []  // "network account grant"

    /// OAuth apps: client id → secret.
    let apps: [String: String] = ["yandex-app": "yandex-app-secret", "vk-app-a": "vk-app-a-secret", "google-app": "google-app-secret"]
    let googleDeveloperToken = "google-dev-token"
    /// Meta tokens: token → ad account, and what `debug_token` says of each (unix seconds; 0 = never).
    let metaTokens: [String: String] = ["meta-system-token-222": "222", "meta-long-lived-333": "333", "meta-system-token-444": "444"]
    private(set) var metaTokenExpiry: [String: (expires: Int64, dataAccess: Int64)] = [:]
    /// The Meta app whose app token (`id|secret`) may ask `debug_token`.
    let metaApp = (id: "meta-app", secret: "meta-app-secret")
    /// `debug_token` calls answered (with the right app token).
    private(set) var metaChecks: [String] = []

    init(clock: ManualPollerClock, firstDay: LocalDate) {
        self.clock = clock
        self.firstDay = firstDay
    }

    /// What `debug_token` says of a Meta token: it expires at `expires`, its data access at `dataAccess` (0 = never).
    /// A token never declared here is answered as invalid (expired, subcode 463).
    func declareMetaToken(_ token: String, expires: Int64, dataAccess: Int64) {
        lock.withLock { metaTokenExpiry[token] = (expires, dataAccess) }
    }

    /// A refresh token the operator got by consent, for `account`.
    func grantRefreshToken(_ token: String, account: String) {
        lock.withLock { refreshTokens[token] = account }
    }

    /// Makes the access tokens of `account` stop working now (the network revoked or auto-deleted them).
    func revokeAccessTokens(of account: String) {
        lock.withLock { accessTokens = accessTokens.filter { $0.value.account != account } }
    }

    var today: LocalDate { LocalDate(clock.now(), in: Self.moscow) }

    /// The figures of one ad on one day: distinct per account, ad and day, the same on every call.
    static func figures(account: String, ad: String, day: LocalDate) -> (impressions: Int, clicks: Int, cost: String) {
        let seed = (account + ad).unicodeScalars.reduce(0) { ($0 * 31 + Int($1.value)) % 1009 } % 50
        let n = day.daysSinceEpoch % 97
        return (100 + n + seed, (n + seed) % 9, "\(n + seed).25")
    }

    /// The days of `from...to` on which ads spend: from `firstDay` to today.
    func spendingDays(_ from: LocalDate, _ to: LocalDate) -> [LocalDate] {
        let start = max(from, firstDay)
        let end = min(to, today)
        guard start <= end else { return [] }
        return (0...start.days(to: end)).map { start.adding(days: $0) }
    }

    private func issue(_ prefix: String, account: String, lifetime: Int64) -> String {
        issued += 1
        let token = "\(prefix)-\(issued)"
        accessTokens[token] = Token(account: account, expires: clock.now().advanced(byMicroseconds: lifetime * 1_000_000))
        return token
    }

    /// Checks a bearer token against `account` and writes the call to the transcript.
    private func authorize(_ request: RecordedRequest, network: String, account: String) -> Bool {
        let token = String((request.header("Authorization") ?? "").dropFirst("Bearer ".count))
        let now = clock.now()
        var live = false
        if network == "meta" {
            // A declared token stops at its expiry, as Meta's would.
            let expiry = metaTokenExpiry[token]?.expires ?? 0
            live = metaTokens[token] == account && (expiry == 0 || now.microsecondsSinceEpoch < expiry * 1_000_000)
        } else if let known = accessTokens[token], known.account == account {
            live = known.expires.map { now < $0 } ?? true
        }
        calls.append(Call(network: network, account: account, at: now, token: token, live: live))
        return live
    }

    func respond(_ request: RecordedRequest) -> HTTPResponseData {
        lock.withLock { answer(request) }
    }

    private static func json(_ text: String, status: Int = 200) -> HTTPResponseData {
        HTTPResponseData(status: status, headers: ["Content-Type": "application/json"], body: Data(text.utf8))
    }

    private func answer(_ request: RecordedRequest) -> HTTPResponseData {
        let form = Self.decodeForm(request.body)
        switch request.path {
        case "/yandex-oauth/token":
            guard form["grant_type"] == "refresh_token", let id = form["client_id"], apps[id] == form["client_secret"],
                  let refresh = form["refresh_token"], let account = refreshTokens.removeValue(forKey: refresh)
            else { return Self.json(#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#, status: 400) }
            // Yandex hands out a new refresh token; the old one is spent (removed above).
            let access = issue("ya-access", account: account, lifetime: 7 * 86400)
            issued += 1
            let newRefresh = "ya-refresh-\(issued)"
            refreshTokens[newRefresh] = account
            renewals.append("yandex \(account) refresh_token")
            return Self.json(#"{"access_token":"\#(access)","refresh_token":"\#(newRefresh)","token_type":"bearer","expires_in":\#(7 * 86400)}"#)
        case "/google-oauth/token":
            guard form["grant_type"] == "refresh_token", let id = form["client_id"], apps[id] == form["client_secret"],
                  let refresh = form["refresh_token"], let account = refreshTokens[refresh]
            else { return Self.json(#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#, status: 400) }
            let access = issue("ya29.google-access", account: account, lifetime: 3599)
            renewals.append("google \(account) refresh_token")
            return Self.json(#"{"access_token":"\#(access)","expires_in":3599,"scope":"https://www.googleapis.com/auth/adwords","token_type":"Bearer"}"#)
        case "/api/v2/oauth2/token.json":
            guard let id = form["client_id"], apps[id] == form["client_secret"] else {
                return Self.json(#"{"error":"invalid_client","error_description":"Invalid client"}"#, status: 401)
            }
            let account = "vk-a"
            var refresh: String
            switch form["grant_type"] {
            case "client_credentials":
                issued += 1
                refresh = "vk-refresh-\(issued)"
                refreshTokens[refresh] = account
            case "refresh_token":
                guard let given = form["refresh_token"], refreshTokens[given] == account else {
                    return Self.json(#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#, status: 400)
                }
                refresh = given
            default:
                return Self.json(#"{"error":"unsupported_grant_type"}"#, status: 400)
            }
            // The previous access token dies the moment a new one is issued.
            accessTokens = accessTokens.filter { $0.value.account != account }
            let access = issue("vk-access", account: account, lifetime: 86400)
            renewals.append("vk \(account) \(form["grant_type"]!)")
            return Self.json(#"{"access_token":"\#(access)","token_type":"bearer","scope":["read_ads"],"expires_in":"86400","refresh_token":"\#(refresh)"}"#)
        case "/json/v5/reports":
            let login = request.header("Client-Login") ?? ""
            guard authorize(request, network: "yandex_direct", account: login) else {
                return Self.json(#"{"error":{"request_id":"1","error_code":53,"error_string":"Authorization error","error_detail":"Expired token"}}"#, status: 401)
            }
            guard let from = Self.between(request.body, #""DateFrom":""#), let to = Self.between(request.body, #""DateTo":""#),
                  let first = LocalDate(from), let last = LocalDate(to)
            else { return Self.json(#"{"error":{"request_id":"2","error_code":8000,"error_string":"Invalid request","error_detail":"dates"}}"#, status: 400) }
            var lines = ["Date\tCampaignId\tCampaignName\tAdGroupId\tAdGroupName\tAdId\tImpressions\tClicks\tCost"]
            for day in spendingDays(first, last) {
                for ad in ["701", "702"] {
                    let f = Self.figures(account: login, ad: ad, day: day)
                    // Direct's default money: micros.
                    let micros = Int(Double(f.cost)! * 1_000_000)
                    lines.append("\(day)\t55\tКампания \(login)\t44\tГруппа \(login)\t\(ad)\t\(f.impressions)\t\(f.clicks)\t\(micros)")
                }
            }
            return HTTPResponseData(status: 200, headers: ["Content-Type": "text/tab-separated-values"], body: Data((lines.joined(separator: "\n") + "\n").utf8))
        case "/json/v5/ads":
            let login = request.header("Client-Login") ?? ""
            guard authorize(request, network: "yandex_direct", account: login) else {
                return Self.json(#"{"error":{"request_id":"1","error_code":53,"error_string":"Authorization error","error_detail":"Expired token"}}"#, status: 401)
            }
            return Self.json(#"{"result":{"Ads":[{"Id":701,"Type":"TEXT_AD","TextAd":{"Title":"Объявление 701"}},{"Id":702,"Type":"TEXT_AD","TextAd":{"Title":"Объявление 702"}}]}}"#)
        case "/api/v2/banners.json", "/api/v2/ad_groups.json", "/api/v2/statistics/banners/day.json":
            guard authorize(request, network: "vk_ads", account: "vk-a") else {
                return Self.json(#"{"code":"expired_token","message":"Access token is expired"}"#, status: 401)
            }
            if request.path == "/api/v2/banners.json" {
                return Self.json(#"{"count":2,"offset":0,"limit":200,"items":[{"id":801,"name":"Баннер 801","ad_group_id":90},{"id":802,"name":"Баннер 802","ad_group_id":90}]}"#)
            }
            if request.path == "/api/v2/ad_groups.json" {
                return Self.json(#"{"count":1,"offset":0,"limit":200,"items":[{"id":90,"name":"Группа VK"}]}"#)
            }
            guard let first = request.query["date_from"].flatMap(LocalDate.init), let last = request.query["date_to"].flatMap(LocalDate.init) else {
                return Self.json(#"{"error":{"code":"ERR_WRONG_DATE","message":"dates"}}"#, status: 400)
            }
            let items = (request.query["id"] ?? "").split(separator: ",").map { ad -> String in
                let rows = spendingDays(first, last).map { day -> String in
                    let f = Self.figures(account: "vk-a", ad: String(ad), day: day)
                    return #"{"date":"\#(day)","base":{"shows":\#(f.impressions),"clicks":\#(f.clicks),"spent":"\#(f.cost)"}}"#
                }
                return #"{"id":\#(ad),"rows":[\#(rows.joined(separator: ","))],"total":{}}"#
            }
            return Self.json(#"{"items":[\#(items.joined(separator: ","))],"total":{}}"#)
        case "/v25.0/debug_token":
            // Graph API: the app token (`app_id|app_secret`) asks about `input_token`; HTTP 200 either way.
            guard request.header("Authorization") == "Bearer \(metaApp.id)|\(metaApp.secret)" else {
                return Self.json(#"{"error":{"message":"Invalid OAuth access token signature.","type":"OAuthException","code":190,"fbtrace_id":"AbCdEf"}}"#, status: 400)
            }
            let input = request.query["input_token"] ?? ""
            metaChecks.append(metaTokens[input] ?? "unknown")
            let issued = clock.now().microsecondsSinceEpoch / 1_000_000 - 86400
            let now = clock.now().microsecondsSinceEpoch / 1_000_000
            if let expiry = metaTokenExpiry[input], expiry.expires == 0 || now < expiry.expires {
                return Self.json(#"{"data":{"app_id":"\#(metaApp.id)","type":"USER","application":"School pipeline","data_access_expires_at":\#(expiry.dataAccess),"expires_at":\#(expiry.expires),"is_valid":true,"issued_at":\#(issued),"scopes":["ads_read","public_profile"],"user_id":"10001"}}"#)
            }
            let expired = metaTokenExpiry[input]?.expires ?? (now - 3600)
            return Self.json(#"{"data":{"app_id":"\#(metaApp.id)","type":"USER","application":"School pipeline","data_access_expires_at":0,"error":{"code":190,"message":"Error validating access token: Session has expired.","subcode":463},"expires_at":\#(expired),"is_valid":false,"scopes":[],"user_id":"10001"}}"#)
        case "/v25.0/act_222/insights", "/v25.0/act_333/insights", "/v25.0/act_444/insights":
            let metaAccount = String(request.path.dropFirst("/v25.0/act_".count).prefix { $0 != "/" })
            guard authorize(request, network: "meta", account: metaAccount) else {
                return Self.json(#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463}}"#, status: 400)
            }
            let range = (request.query["time_range"] ?? "").removingPercentEncoding ?? ""
            guard let first = Self.between(range, #""since":""#).flatMap(LocalDate.init), let last = Self.between(range, #""until":""#).flatMap(LocalDate.init) else {
                return Self.json(#"{"error":{"message":"time_range","type":"OAuthException","code":100}}"#, status: 400)
            }
            var rows: [String] = []
            for day in spendingDays(first, last) {
                for ad in ["901", "902"] {
                    let f = Self.figures(account: metaAccount, ad: ad, day: day)
                    rows.append(#"{"ad_id":"\#(ad)","ad_name":"Реклама \#(ad)","adset_id":"91","adset_name":"Аудитория","campaign_id":"92","campaign_name":"Кампания Meta","impressions":"\#(f.impressions)","inline_link_clicks":"\#(f.clicks)","spend":"\#(f.cost)","account_currency":"RUB","date_start":"\#(day)","date_stop":"\#(day)"}"#)
                }
            }
            return Self.json(#"{"data":[\#(rows.joined(separator: ","))]}"#)
        case "/v26/customers/1111111111/googleAds:searchStream", "/v26/customers/2222222222/googleAds:searchStream":
            let customer = request.path.contains("1111111111") ? "1111111111" : "2222222222"
            guard request.header("developer-token") == googleDeveloperToken,
                  customer == "1111111111" || request.header("login-customer-id") == "9999999999",
                  authorize(request, network: "google_ads", account: customer)
            else {
                return Self.json(#"[{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}]"#, status: 401)
            }
            let dates = request.body.split(separator: "'").map(String.init)
            guard dates.count >= 4, let first = LocalDate(dates[1]), let last = LocalDate(dates[3]) else {
                return Self.json(#"[{"error":{"code":400,"message":"query","status":"INVALID_ARGUMENT"}}]"#, status: 400)
            }
            let rows = spendingDays(first, last).map { day -> String in
                let f = Self.figures(account: customer, ad: "999", day: day)
                return #"{"customer":{"currencyCode":"RUB"},"campaign":{"id":"55","name":"Поиск"},"adGroup":{"id":"77","name":"Курсы"},"adGroupAd":{"ad":{"id":"999","name":"Баннер"}},"metrics":{"impressions":"\#(f.impressions)","clicks":"\#(f.clicks)","costMicros":"\#(Int(Double(f.cost)! * 1_000_000))"},"segments":{"date":"\#(day)"}}"#
            }
            return Self.json(#"[{"results":[\#(rows.joined(separator: ","))],"requestId":"r"}]"#)
        default:
            return Self.json(#"{"error":"not found"}"#, status: 404)
        }
    }

    static func between(_ text: String, _ prefix: String) -> String? {
        guard let start = text.range(of: prefix) else { return nil }
        return String(text[start.upperBound...].prefix { $0 != "\"" })
    }

    static func decodeForm(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0].removingPercentEncoding ?? parts[0]
            values[name] = parts.count > 1 ? (parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]) : ""
        }
        return values
    }
}
