import Events
import Pollers
import Testing

@Suite("VK Ads: banner list and day statistics parsing")
struct VKAdsStatisticsTests {
    static func stats(
        _ group: String, _ ad: String, _ day: String, _ impressions: Int64, _ clicks: Int64, _ cost: String,
        groupName: String? = nil, adName: String? = nil
    ) -> AdStats {
        AdStats(
            network: "vk_ads", accountID: "vk-1", campaignID: group, adID: ad, day: LocalDate(day)!,
            impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: "RUB",
            campaignName: groupName, adGroupID: group, adGroupName: groupName, adName: adName)
    }

    static let dayAnswer = """
        {"items":[
          {"id":123,"rows":[
             {"date":"2026-03-01","base":{"shows":1000,"clicks":12,"goals":2,"spent":"123.45","cpm":"123.45","cpc":"10.29","cpa":"61.72","ctr":1.2,"cr":16.6,"vk":{"goals":2,"cpa":"61.72"}}},
             {"date":"2026-03-02","base":{"shows":0,"clicks":0,"goals":0,"spent":"0","cpm":"0","cpc":"0","cpa":"0","ctr":0,"cr":0,"vk":{"goals":0,"cpa":"0"}}}],
           "total":{"base":{"shows":1000,"clicks":12,"goals":2,"spent":"123.45","cpm":"123.45","cpc":"10.29","cpa":"61.72","ctr":1.2,"cr":16.6}}},
          {"id":124,"rows":[
             {"date":"2026-03-01","base":{"shows":0,"clicks":0,"goals":0,"spent":"0.00","cpm":"0","cpc":"0","cpa":"0","ctr":0,"cr":0}},
             {"date":"2026-03-02","base":{"shows":0,"clicks":0,"goals":0,"spent":"0.00","cpm":"0","cpc":"0","cpa":"0","ctr":0,"cr":0}}],
           "total":{"base":{"shows":0,"clicks":0,"goals":0,"spent":"0.00"}}}],
         "total":{"base":{"shows":1000,"clicks":12,"goals":2,"spent":"123.45"}}}
        """

    @Test("rows per banner and day; money strings exact; a banner with nothing at all is left out")
    func dayRows() throws {
        let rows = try VKAdsStatistics.dayRows(Array(Self.dayAnswer.utf8), adGroups: ["123": "9001"], account: "vk-1", currency: "RUB")
        #expect(rows == [
            Self.stats("9001", "123", "2026-03-01", 1000, 12, "123.45"),
            Self.stats("9001", "123", "2026-03-02", 0, 0, "0"),
        ])
    }

    @Test("names from the listings: the ad group's name is the campaign's and the ad group's (campaign_id is the ad group), the banner's the ad's")
    func dayRowsWithNames() throws {
        let names = VKAdsStatistics.Names(banners: ["123": "Баннер весна"], adGroups: ["9001": "Группа Москва"])
        let rows = try VKAdsStatistics.dayRows(Array(Self.dayAnswer.utf8), adGroups: ["123": "9001"], names: names, account: "vk-1", currency: "RUB")
        #expect(rows == [
            Self.stats("9001", "123", "2026-03-01", 1000, 12, "123.45", groupName: "Группа Москва", adName: "Баннер весна"),
            Self.stats("9001", "123", "2026-03-02", 0, 0, "0", groupName: "Группа Москва", adName: "Баннер весна"),
        ])
    }

    @Test("a listing page gives each id's non-empty name, the page size and the total count")
    func namePage() throws {
        let page = try VKAdsStatistics.namePage(Array(#"{"count":5,"offset":0,"limit":2,"items":[{"id":9001,"name":"Группа Москва"},{"id":9002,"name":""}]}"#.utf8))
        #expect(page.count == 5)
        #expect(page.items == 2)
        #expect(page.names == ["9001": "Группа Москва"])
    }

    @Test("the banner page gives ids, ad groups and the total count")
    func bannerPage() throws {
        let page = try VKAdsStatistics.bannerPage(Array(#"{"count":3,"offset":0,"limit":2,"items":[{"id":123,"name":"Баннер","ad_group_id":9001},{"id":124,"ad_group_id":9002}]}"#.utf8))
        #expect(page.count == 3)
        #expect(page.names == ["123": "Баннер"])
        #expect(page.banners.map(\.id) == ["123", "124"])
        #expect(page.banners.map(\.adGroupID) == ["9001", "9002"])
    }

    @Test("bad answers name the JSON path", arguments: [
        (#"{"items":[{"id":1,"rows":[{"date":"2026-03-01","base":{"shows":1,"clicks":0,"spent":"1,5"}}]}]}"#,
         "$.items[0].rows[0].base.spent: must be a non-negative decimal, got \"1,5\""),
        (#"{"items":[{"id":1,"rows":[{"date":"01.03.2026","base":{"shows":1,"clicks":0,"spent":"1"}}]}]}"#,
         "$.items[0].rows[0].date: must be a date string YYYY-MM-DD"),
        (#"{"items":[{"id":1,"rows":[{"date":"2026-03-01","base":{"clicks":0,"spent":"1"}}]}]}"#,
         "$.items[0].rows[0].base.shows: missing"),
        (#"{"error":{"code":"ERR_WRONG_PARAMETER","message":"bad"}}"#, "$.items: must be an array"),
        ("not json", "$: not JSON: "),
    ])
    func badAnswers(body: String, message: String) {
        do {
            _ = try VKAdsStatistics.dayRows(Array(body.utf8), adGroups: [:], account: "vk-1", currency: "RUB")
            Issue.record("no error for \(body)")
        } catch {
            #expect(error.description.hasPrefix(message))
        }
    }

    @Test("the error body reads as code: message")
    func errorText() {
        #expect(VKAdsStatistics.errorText(Array(#"{"error":{"code":"ERR_LIMIT_EXCEEDED","message":"too many objects"}}"#.utf8))
            == "ERR_LIMIT_EXCEEDED: too many objects")
    }
}
