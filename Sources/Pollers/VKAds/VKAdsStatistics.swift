import Events

/// VK Ads (ex-myTarget) API v2 answers in pure functions: the banner list and the day statistics.
public enum VKAdsStatistics {
    /// Why an answer does not have the documented shape: the shared JSON path error (`"<path>: <problem>"`).
    public typealias ParseError = JSONPathError

    /// One page of `GET /api/v2/banners.json`: `{"count","offset","limit","items":[{"id","name","ad_group_id"}]}`.
    public struct BannerPage: Sendable, Equatable {
        public var count: Int
        /// Banner id → its ad group id (the `campaign_id` of the rows).
        public var banners: [(id: String, adGroupID: String)]
        /// Banner id → its name, for banners whose name is not empty.
        public var names: [String: String] = [:]

        public static func == (lhs: BannerPage, rhs: BannerPage) -> Bool {
            lhs.count == rhs.count && lhs.names == rhs.names
                && lhs.banners.elementsEqual(rhs.banners) { $0.id == $1.id && $0.adGroupID == $1.adGroupID }
        }
    }

    /// The names the statistics lack (INPUTS §14), from the banner and ad group listings.
    public struct Names: Sendable, Equatable {
        /// Banner id → name.
        public var banners: [String: String]
        /// Ad group id → name.
        public var adGroups: [String: String]

        public init(banners: [String: String] = [:], adGroups: [String: String] = [:]) {
            self.banners = banners
            self.adGroups = adGroups
        }
    }

    /// One page of `GET /api/v2/ad_groups.json?fields=id,name`: how many there are, and each id's name
    /// (empty names left out); `items` counts the page's objects, named or not, for paging.
    public static func namePage(_ bytes: [UInt8]) throws(ParseError) -> (count: Int, items: Int, names: [String: String]) {
        let root = try object(parse(bytes), path: "$")
        let count = try integer(root["count"], path: "$.count")
        guard case .array(let items)? = root["items"] else { throw ParseError(field: "$.items", problem: "must be an array") }
        var names: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let fields = try object(item, path: "$.items[\(index)]")
            let id = try identifier(fields["id"], path: "$.items[\(index)].id")
            if case .string(let name)? = fields["name"], !name.isEmpty { names[id] = name }
        }
        return (count, items.count, names)
    }

    public static func bannerPage(_ bytes: [UInt8]) throws(ParseError) -> BannerPage {
        let root = try object(parse(bytes), path: "$")
        let count = try integer(root["count"], path: "$.count")
        guard case .array(let items)? = root["items"] else { throw ParseError(field: "$.items", problem: "must be an array") }
        var banners: [(String, String)] = []
        var names: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let path = "$.items[\(index)]"
            let banner = try object(item, path: path)
            let id = try identifier(banner["id"], path: "\(path).id")
            let group = banner["ad_group_id"].map { try? identifier($0, path: "") } ?? nil
            banners.append((id, group ?? ""))
            if case .string(let name)? = banner["name"], !name.isEmpty { names[id] = name }
        }
        return BannerPage(count: count, banners: banners, names: names)
    }

    /// The rows of `GET /api/v2/statistics/banners/day.json?metrics=base`:
    /// `{"items":[{"id":…,"rows":[{"date","base":{"shows","clicks","spent":"…"}}],"total":…}],"total":…}`.
    ///
    /// A banner whose every row in the answer is zero is left out (archived banners would otherwise send a
    /// zero row per day per poll); a banner with any figure keeps all its rows, zeros included, so a day
    /// revised down to zero replaces its earlier figures.
    ///
    /// The rows' `campaign_id` is the banner's ad group (the id VK's `{{campaign_id}}` macro puts into UTM
    /// tags), so `campaign_name` and `ad_group_name` are both that ad group's name and `ad_name` the banner's.
    public static func dayRows(
        _ bytes: [UInt8], adGroups: [String: String], names: Names = Names(), account: String, currency: String,
        network: String = "vk_ads"
    ) throws(ParseError) -> [AdStats] {
        let root = try object(parse(bytes), path: "$")
        guard case .array(let items)? = root["items"] else { throw ParseError(field: "$.items", problem: "must be an array") }
        var result: [AdStats] = []
        for (index, item) in items.enumerated() {
            let path = "$.items[\(index)]"
            let banner = try object(item, path: path)
            let id = try identifier(banner["id"], path: "\(path).id")
            guard case .array(let rows)? = banner["rows"] else { throw ParseError(field: "\(path).rows", problem: "must be an array") }
            var bannerRows: [AdStats] = []
            for (rowIndex, row) in rows.enumerated() {
                let rowPath = "\(path).rows[\(rowIndex)]"
                let fields = try object(row, path: rowPath)
                guard case .string(let dateText)? = fields["date"], let day = LocalDate(dateText) else {
                    throw ParseError(field: "\(rowPath).date", problem: "must be a date string YYYY-MM-DD")
                }
                let base = try object(fields["base"] ?? .null, path: "\(rowPath).base")
                let shows = try integer(base["shows"], path: "\(rowPath).base.shows")
                let clicks = try integer(base["clicks"], path: "\(rowPath).base.clicks")
                let spent = try money(base["spent"], path: "\(rowPath).base.spent")
                let group = adGroups[id] ?? ""
                let groupName = names.adGroups[group]
                bannerRows.append(AdStats(
                    network: network, accountID: account, campaignID: group, adID: id, day: day,
                    impressions: Int64(shows), clicks: Int64(clicks), cost: spent, currency: currency,
                    campaignName: groupName, adGroupID: group.isEmpty ? nil : group, adGroupName: groupName,
                    adName: names.banners[id]))
            }
            if bannerRows.contains(where: { $0.impressions != 0 || $0.clicks != 0 || !$0.cost.isZero }) {
                result += bannerRows
            }
        }
        return result
    }

    /// The error body `{"error":{"code","message"}}` as one line, or nil.
    public static func errorText(_ bytes: [UInt8]) -> String? {
        guard case .object(let root)? = try? JSONParser.parse(bytes), case .object(let error)? = root["error"] else { return nil }
        var parts: [String] = []
        if case .string(let code)? = error["code"] { parts.append(code) }
        if case .string(let message)? = error["message"] { parts.append(message) }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }

    private static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ParseError(field: "$", problem: "not JSON: \(error.message) at byte \(error.offset)")
        }
    }

    private static func object(_ value: JSONValue, path: String) throws(ParseError) -> JSONObject {
        try JSONPathReader(value, path: path).object()
    }

    private static func integer(_ value: JSONValue?, path: String) throws(ParseError) -> Int {
        switch value {
        case .number(let text)?:
            if let number = Int(text), number >= 0 { return number }
        case .string(let text)?:
            if let number = Int(text), number >= 0 { return number }
        case nil:
            throw ParseError(field: path, problem: "missing")
        default:
            break
        }
        throw ParseError(field: path, problem: "must be a non-negative whole number, got \(value.map(describe) ?? "nothing")")
    }

    private static func identifier(_ value: JSONValue?, path: String) throws(ParseError) -> String {
        switch value {
        case .number(let text)? where Int64(text) != nil: return text
        case .string(let text)? where !text.isEmpty: return text
        default: throw ParseError(field: path, problem: "must be an id (number or string), got \(value.map(describe) ?? "nothing")")
        }
    }

    /// Money arrives as a decimal string (`"123.45"`); a bare number is accepted too, by its literal text.
    private static func money(_ value: JSONValue?, path: String) throws(ParseError) -> DecimalNumber {
        let text: String
        switch value {
        case .string(let string)?: text = string
        case .number(let number)?: text = number
        case nil: throw ParseError(field: path, problem: "missing")
        default: throw ParseError(field: path, problem: "must be a decimal string, got \(describe(value!))")
        }
        guard let amount = DecimalNumber(text), !amount.isNegative else {
            throw ParseError(field: path, problem: "must be a non-negative decimal, got \"\(text)\"")
        }
        return amount
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .number(let text): text
        default: value.typeName
        }
    }
}
