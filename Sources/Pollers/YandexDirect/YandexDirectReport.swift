import Events

/// The Reports API v5 conversation in pure functions: the request body, the TSV report, the error body.
public enum YandexDirectReport {
    /// The columns asked for, in this order; the parser reads them by the column header's names.
    public static let fieldNames = [
        "Date", "CampaignId", "CampaignName", "AdGroupId", "AdGroupName", "AdId", "Impressions", "Clicks", "Cost",
    ]
    /// Columns a report may lack: Wizard campaigns have no ad groups, and names are extras (INPUTS §14).
    static let optionalFieldNames: Set<String> = ["AdGroupId", "CampaignName", "AdGroupName"]

    /// The JSON body of a `CUSTOM_REPORT` over `days` (CUSTOM_DATE, TSV, VAT as configured).
    ///
    /// The report name is a function of the request's contents, so the offline re-requests that the API
    /// wants identical are identical, and a different range or VAT flag is a different report.
    public static func requestBody(days: ClosedRange<LocalDate>, includeVAT: Bool, reportType: String = "CUSTOM_REPORT") -> String {
        let vat = includeVAT ? "YES" : "NO"
        let fields = fieldNames.map { "\"\($0)\"" }.joined(separator: ",")
        let name = "pipeline-ads-\(days.lowerBound)-\(days.upperBound)-vat-\(vat.lowercased())"
        return """
            {"params":{"SelectionCriteria":{"DateFrom":"\(days.lowerBound)","DateTo":"\(days.upperBound)"},\
            "FieldNames":[\(fields)],"ReportName":"\(name)","ReportType":"\(reportType)",\
            "DateRangeType":"CUSTOM_DATE","Format":"TSV","IncludeVAT":"\(vat)","IncludeDiscount":"NO"}}
            """
    }

    /// A problem in a report, naming the line and the column.
    struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var field: String
        public var problem: String
        public var description: String { "report line \(line): \(field): \(problem)" }
    }

    /// The rows of a TSV report sent with the column header (`skipColumnHeader` absent) and without the
    /// report header and summary lines; a title or summary line that arrives anyway is recognised and skipped.
    ///
    /// - Parameters:
    ///   - moneyInMicros: whether `Cost` is in millionths (no `returnMoneyInMicros: false` header) or a decimal.
    ///   - account: the `account_id` of the rows (the client login).
    /// Rows of one `(CampaignId, AdId, Date)` are summed: Campaign Wizard campaigns have no ad ids, so
    /// several of their rows can share a key (the first row's ad group and names stay). `--` or empty ids
    /// become `""`; `--` or empty names and ad group ids become nil.
    static func parse(
        _ text: String, moneyInMicros: Bool, account: String, currency: String, network: String = "yandex_direct"
    ) throws(ParseError) -> [AdStats] {
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        var columns: [String: Int] = [:]
        var order: [String] = []
        var sums: [String: AdStats] = [:]
        for (index, line) in lines.enumerated() {
            let number = index + 1
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if columns.isEmpty {
                if cells.contains("Date") && cells.contains("Cost") {
                    for (position, name) in cells.enumerated() { columns[name] = position }
                    for name in fieldNames where !optionalFieldNames.contains(name) && columns[name] == nil {
                        throw ParseError(line: number, field: name, problem: "column missing from the header \"\(line)\"")
                    }
                } else if number == 1 && cells.count == 1 {
                    continue  // The report title line ("name (date - date)"), when skipReportHeader was ignored.
                } else {
                    throw ParseError(line: number, field: "header", problem: "expected the column names (\(fieldNames.joined(separator: ", "))), got \"\(line)\"")
                }
                continue
            }
            if cells.count == 1, line.hasPrefix("Total rows:") || line.hasPrefix("Всего строк:") { continue }
            guard cells.count == columns.count else {
                throw ParseError(line: number, field: "row", problem: "has \(cells.count) cells, the header has \(columns.count)")
            }
            func cell(_ name: String) -> String { columns[name].map { cells[$0] } ?? "" }
            guard let day = LocalDate(cell("Date")) else {
                throw ParseError(line: number, field: "Date", problem: "must be YYYY-MM-DD, got \"\(cell("Date"))\"")
            }
            let impressions = try count(cell("Impressions"), line: number, field: "Impressions")
            let clicks = try count(cell("Clicks"), line: number, field: "Clicks")
            let cost = try money(cell("Cost"), micros: moneyInMicros, line: number)
            let campaign = identifier(cell("CampaignId"))
            let ad = identifier(cell("AdId"))
            let key = "\(campaign)\t\(ad)\t\(day)"
            if var sum = sums[key] {
                sum.impressions += impressions
                sum.clicks += clicks
                sum.cost += cost
                sums[key] = sum
            } else {
                order.append(key)
                sums[key] = AdStats(
                    network: network, accountID: account, campaignID: campaign, adID: ad, day: day,
                    impressions: impressions, clicks: clicks, cost: cost, currency: currency,
                    campaignName: name(cell("CampaignName")), adGroupID: name(cell("AdGroupId")),
                    adGroupName: name(cell("AdGroupName")))
            }
        }
        if columns.isEmpty && !lines.isEmpty {
            throw ParseError(line: 1, field: "header", problem: "no column header in the report")
        }
        return order.map { sums[$0]! }
    }

    /// `--` and empty are no value (nil), so an unnamed object never overwrites a known name downstream.
    private static func name(_ text: String) -> String? {
        text == "--" || text.isEmpty ? nil : text
    }

    private static func identifier(_ text: String) -> String {
        text == "--" ? "" : text
    }

    private static func count(_ text: String, line: Int, field: String) throws(ParseError) -> Int64 {
        if text == "--" || text.isEmpty { return 0 }
        guard let value = Int64(text), value >= 0, value <= AdStats.maximumCount else {
            throw ParseError(line: line, field: field, problem: "must be a non-negative whole number, got \"\(text)\"")
        }
        return value
    }

    /// Micros are whole millionths (`12500000` → `12.5`); decimals are as written (`12.50`).
    private static func money(_ text: String, micros: Bool, line: Int) throws(ParseError) -> DecimalNumber {
        if text == "--" || text.isEmpty { return .zero }
        if micros {
            guard let value = Int64(text), value >= 0 else {
                throw ParseError(line: line, field: "Cost", problem: "must be whole micros (returnMoneyInMicros), got \"\(text)\"")
            }
            return DecimalNumber(significand: Int128(value), scale: 6).normalized
        }
        guard let value = DecimalNumber(text), !value.isNegative else {
            throw ParseError(line: line, field: "Cost", problem: "must be a non-negative decimal, got \"\(text)\"")
        }
        return value
    }

    /// The Ads service's `get` body for ad titles (Direct ads have no name, INPUTS §14): ids as numbers,
    /// `Id` and `Type` plus the text ad's `Title`, one page of at most 10,000 (the service's page limit).
    public static func adsGetBody(ids: [String], offset: Int) -> String {
        """
        {"method":"get","params":{"SelectionCriteria":{"Ids":[\(ids.joined(separator: ","))]},\
        "FieldNames":["Id","Type"],"TextAdFieldNames":["Title"],"Page":{"Limit":10000,"Offset":\(offset)}}}
        """
    }

    /// One page of the Ads service's answer `{"result":{"Ads":[{"Id","Type","TextAd":{"Title"}}],"LimitedBy"?}}`:
    /// each ad's title (ads without one — image, video, smart — are left out), and the offset of the next
    /// page when `LimitedBy` says there is one. An `{"error":…}` answer (which comes with HTTP 200) is nil.
    public static func adTitles(_ bytes: [UInt8]) -> (titles: [String: String], nextOffset: Int?)? {
        guard case .object(let root)? = try? JSONParser.parse(bytes), case .object(let result)? = root["result"] else { return nil }
        var titles: [String: String] = [:]
        if case .array(let ads)? = result["Ads"] {
            for case .object(let ad) in ads {
                guard case .number(let id)? = ad["Id"], case .object(let text)? = ad["TextAd"],
                      case .string(let title)? = text["Title"], !title.isEmpty
                else { continue }
                titles[id] = title
            }
        }
        var next: Int?
        if case .number(let limited)? = result["LimitedBy"] { next = Int(limited) }
        return (titles, next)
    }

    /// The API's error body `{"error":{"request_id","error_code","error_string","error_detail"}}`, or nil.
    public struct APIError: Sendable, Equatable, CustomStringConvertible {
        public var requestID: String
        public var code: Int
        public var string: String
        public var detail: String
        public var description: String { "error \(code) \(string): \(detail) (request \(requestID))" }
    }

    public static func apiError(_ bytes: [UInt8]) -> APIError? {
        guard case .object(let root)? = try? JSONParser.parse(bytes), case .object(let error)? = root["error"] else { return nil }
        func text(_ key: String) -> String {
            switch error[key] {
            case .string(let value)?: value
            case .number(let value)?: value
            default: ""
            }
        }
        guard let code = Int(text("error_code")) else { return nil }
        return APIError(requestID: text("request_id"), code: code, string: text("error_string"), detail: text("error_detail"))
    }
}
