import Events
@testable import Pollers
import Testing

@Suite("Yandex Direct report: TSV parsing and the request body")
struct YandexDirectReportTests {
    static func stats(
        _ campaign: String, _ ad: String, _ day: String, _ impressions: Int64, _ clicks: Int64, _ cost: String, group: String? = nil,
        campaignName: String? = nil, groupName: String? = nil
    ) -> AdStats {
        AdStats(
            network: "yandex_direct", accountID: "school-login", campaignID: campaign, adID: ad, day: LocalDate(day)!,
            impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: "RUB",
            campaignName: campaignName, adGroupID: group, adGroupName: groupName)
    }

    // skipReportHeader + skipReportSummary, column header kept: the shape the client asks for.
    static let microsReport = """
        Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost
        2026-03-01\t55\t4401\t777\t1000\t12\t123450000
        2026-03-01\t56\t--\t--\t300\t4\t40000000
        2026-03-02\t55\t4401\t777\t0\t0\t0

        """

    @Test("micros are divided by 1,000,000 exactly; Wizard campaigns' -- ids become empty")
    func micros() throws {
        let rows = try YandexDirectReport.parse(Self.microsReport, moneyInMicros: true, account: "school-login", currency: "RUB")
        #expect(rows == [
            Self.stats("55", "777", "2026-03-01", 1000, 12, "123.45", group: "4401"),
            Self.stats("56", "", "2026-03-01", 300, 4, "40"),
            Self.stats("55", "777", "2026-03-02", 0, 0, "0", group: "4401"),
        ])
    }

    @Test("decimal money (returnMoneyInMicros: false) is taken as written")
    func decimals() throws {
        let report = """
            Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost
            2026-03-01\t55\t4401\t777\t1000\t12\t123.45
            2026-03-01\t55\t4401\t778\t10\t1\t0.01
            """
        let rows = try YandexDirectReport.parse(report, moneyInMicros: false, account: "school-login", currency: "RUB")
        #expect(rows == [
            Self.stats("55", "777", "2026-03-01", 1000, 12, "123.45", group: "4401"),
            Self.stats("55", "778", "2026-03-01", 10, 1, "0.01", group: "4401"),
        ])
    }

    @Test("a title line and a summary line that arrive anyway are skipped; CRLF line ends are fine")
    func headerAndSummary() throws {
        let report = "\"pipeline-ads-2026-03-01-2026-03-01-vat-no (2026-03-01 - 2026-03-01)\"\r\n"
            + "Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost\r\n"
            + "2026-03-01\t55\t4401\t777\t5\t1\t1500000\r\n"
            + "Total rows: 1\r\n"
        let rows = try YandexDirectReport.parse(report, moneyInMicros: true, account: "school-login", currency: "RUB")
        #expect(rows == [Self.stats("55", "777", "2026-03-01", 5, 1, "1.5", group: "4401")])
    }

    @Test("rows of one campaign, ad and day are summed (Wizard campaigns have no ad ids)")
    func summed() throws {
        let report = """
            Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost
            2026-03-01\t56\t--\t--\t300\t4\t40000000
            2026-03-01\t56\t--\t--\t200\t1\t2510000
            """
        let rows = try YandexDirectReport.parse(report, moneyInMicros: true, account: "school-login", currency: "RUB")
        #expect(rows == [Self.stats("56", "", "2026-03-01", 500, 5, "42.51")])
    }

    @Test("campaign and ad group names ride in the report; -- and empty names are no name")
    func names() throws {
        let report = """
            Date\tCampaignId\tCampaignName\tAdGroupId\tAdGroupName\tAdId\tImpressions\tClicks\tCost
            2026-03-01\t55\tКурс Python — весна\t4401\tМосква 25-45\t777\t1000\t12\t123450000
            2026-03-01\t56\tМастер кампаний\t--\t--\t--\t300\t4\t40000000
            2026-03-01\t57\t\t4402\t\t778\t1\t0\t0
            """
        let rows = try YandexDirectReport.parse(report, moneyInMicros: true, account: "school-login", currency: "RUB")
        #expect(rows == [
            Self.stats("55", "777", "2026-03-01", 1000, 12, "123.45", group: "4401", campaignName: "Курс Python — весна", groupName: "Москва 25-45"),
            Self.stats("56", "", "2026-03-01", 300, 4, "40", campaignName: "Мастер кампаний"),
            Self.stats("57", "778", "2026-03-01", 1, 0, "0", group: "4402"),
        ])
    }

    @Test("the Ads service's titles: text ads by Id, other types left out, LimitedBy is the next page's offset")
    func adTitles() throws {
        let page = #"{"result":{"Ads":[{"Id":777,"Type":"TEXT_AD","TextAd":{"Title":"Python за 3 месяца"}},{"Id":778,"Type":"IMAGE_AD"}],"LimitedBy":10000}}"#
        let titles = try #require(YandexDirectReport.adTitles(Array(page.utf8)))
        #expect(titles.titles == ["777": "Python за 3 месяца"])
        #expect(titles.nextOffset == 10000)
        #expect(YandexDirectReport.adTitles(Array(#"{"result":{"Ads":[]}}"#.utf8))?.nextOffset == nil)
        #expect(YandexDirectReport.adTitles(Array(#"{"error":{"error_code":53}}"#.utf8)) == nil)
        #expect(YandexDirectReport.adsGetBody(ids: ["777", "778"], offset: 0) == """
            {"method":"get","params":{"SelectionCriteria":{"Ids":[777,778]},"FieldNames":["Id","Type"],\
            "TextAdFieldNames":["Title"],"Page":{"Limit":10000,"Offset":0}}}
            """)
    }

    @Test("an empty report (no rows in the range) is no rows")
    func empty() throws {
        #expect(try YandexDirectReport.parse("Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost\n", moneyInMicros: true, account: "a", currency: "RUB") == [])
        #expect(try YandexDirectReport.parse("", moneyInMicros: true, account: "a", currency: "RUB") == [])
    }

    @Test("bad cells are named by line and column", arguments: [
        ("2026-03-01\t55\t1\t777\t1000\t12\t123.45", true, "report line 2: Cost: must be whole micros (returnMoneyInMicros), got \"123.45\""),
        ("2026-03-01\t55\t1\t777\t1000\t12\t-5", false, "report line 2: Cost: must be a non-negative decimal, got \"-5\""),
        ("01.03.2026\t55\t1\t777\t1000\t12\t0", true, "report line 2: Date: must be YYYY-MM-DD, got \"01.03.2026\""),
        ("2026-03-01\t55\t1\t777\tmany\t12\t0", true, "report line 2: Impressions: must be a non-negative whole number, got \"many\""),
        ("2026-03-01\t55\t1\t777\t1000\t12", true, "report line 2: row: has 6 cells, the header has 7"),
    ])
    func badCells(row: String, micros: Bool, message: String) {
        let report = "Date\tCampaignId\tAdGroupId\tAdId\tImpressions\tClicks\tCost\n\(row)\n"
        #expect(throws: YandexDirectReport.ParseError.self) {
            try YandexDirectReport.parse(report, moneyInMicros: micros, account: "a", currency: "RUB")
        }
        do {
            _ = try YandexDirectReport.parse(report, moneyInMicros: micros, account: "a", currency: "RUB")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the request body is the documented ReportDefinition")
    func body() {
        let body = YandexDirectReport.requestBody(days: LocalDate("2026-02-27")!...LocalDate("2026-03-02")!, includeVAT: false)
        #expect(body == """
            {"params":{"SelectionCriteria":{"DateFrom":"2026-02-27","DateTo":"2026-03-02"},\
            "FieldNames":["Date","CampaignId","CampaignName","AdGroupId","AdGroupName","AdId","Impressions","Clicks","Cost"],\
            "ReportName":"pipeline-ads-2026-02-27-2026-03-02-vat-no","ReportType":"CUSTOM_REPORT",\
            "DateRangeType":"CUSTOM_DATE","Format":"TSV","IncludeVAT":"NO","IncludeDiscount":"NO"}}
            """)
    }

    @Test("the error body is read field by field")
    func errorBody() {
        let body = #"{"error":{"request_id":"8695244274068608439","error_code":53,"error_string":"Authorization error","error_detail":"Invalid OAuth token"}}"#
        #expect(YandexDirectReport.apiError(Array(body.utf8))?.description
            == "error 53 Authorization error: Invalid OAuth token (request 8695244274068608439)")
        #expect(YandexDirectReport.apiError(Array("<html>".utf8)) == nil)
    }
}
