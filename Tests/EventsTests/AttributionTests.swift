import Testing
import Events

@Suite struct AttributionTests {
    let rules = AttributionRules()

    @Test func mapsKnownSources() {
        #expect(rules.attribution(of: UTM(source: "yandex", campaign: "c1", content: "a1")) == Attribution(network: "yandex_direct", campaignID: "c1", adID: "a1"))
        #expect(rules.attribution(of: UTM(source: "vk")).network == "vk_ads")
        #expect(rules.attribution(of: UTM(source: "facebook")).network == "meta")
        #expect(rules.attribution(of: UTM(source: "google")).network == "google_ads")
    }

    @Test func unmappedSourceIsUsedAsIs() {
        #expect(rules.attribution(of: UTM(source: "telegram_ads", campaign: "x")) == Attribution(network: "telegram_ads", campaignID: "x", adID: ""))
        #expect(rules.attribution(of: UTM(source: "Yandex")).network == "Yandex", "mapping is case-sensitive")
    }

    @Test func missingOrEmptySourceIsNone() {
        #expect(rules.attribution(of: UTM()) == Attribution(network: "(none)", campaignID: "", adID: ""))
        #expect(rules.attribution(of: UTM(source: "", medium: "cpc", campaign: "c", content: "a")) == Attribution(network: "(none)", campaignID: "c", adID: "a"))
    }

    @Test func missingCampaignAndContentAreEmpty() {
        #expect(rules.attribution(of: UTM(source: "vk", campaign: nil, content: "")) == Attribution(network: "vk_ads", campaignID: "", adID: ""))
    }

    @Test func ignoresMediumAndTerm() {
        #expect(rules.attribution(of: UTM(source: "vk", medium: "cpc", term: "python")) == rules.attribution(of: UTM(source: "vk")))
    }

    @Test func customMapping() {
        let custom = AttributionRules(sourceToNetwork: ["ya": "yandex_direct"])
        #expect(custom.attribution(of: UTM(source: "ya")).network == "yandex_direct")
        #expect(custom.attribution(of: UTM(source: "yandex")).network == "yandex")
    }

    @Test func unattributed() {
        #expect(Attribution.unattributed == Attribution(network: "(unattributed)", campaignID: "", adID: ""))
    }
}
