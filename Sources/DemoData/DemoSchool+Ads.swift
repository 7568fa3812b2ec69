import Events
import Foundation

// Ads and spend: each day's clicks, the networks' polled statistics (with names), and the visits
// and registrations the clicks bring.
extension DemoSchool {
    mutating func generateTraffic() {
        for day in 0..<days {
            let date = settings.period.day(day)
            // Mondays to Thursdays sell best; weekends bring fewer clicks.
            let weekday = (date.daysSinceEpoch + 3) % 7  // 0 = Monday
            let weekFactor = weekday >= 5 ? 0.75 : 1.05
            for (adIndex, ad) in Self.ads.enumerated() {
                if ad.fortune == .lateStarter && day < lastDay - Self.lateStarterDays + 1 { continue }
                let burning = ad.fortune == .burningOut && day >= lastDay - Self.burnoutDays + 1
                var clicks = random.poisson(ad.clicksPerDay * settings.scale * weekFactor)
                // A scripted ad spends every day, and a burning one keeps spending: a spend needs a click.
                if ad.dailyBudget != nil || burning { clicks = max(1, clicks) }
                // A burnt-out creative: people have seen it, so the click-through falls and the price rises.
                let ctr = ad.ctr * (burning ? 0.55 : 1) * random.uniform(0.85...1.15)
                let impressions = Int((Double(clicks) / ctr).rounded()) + random.int(0...40)
                let cpc = ad.cpc * (burning ? 1.4 : 1) * random.uniform(0.9...1.1)
                let cost = ad.dailyBudget.map { $0 * 100 } ?? Int((Double(clicks) * cpc * 100).rounded())
                emitAdStats(ad, date: date, day: day, impressions: impressions, clicks: clicks, costKopecks: cost)

                for _ in 0..<clicks where random.chance(0.88) {  // some clickers never reach the landing page
                    let at = day * 86_400 + activeSecondOfDay()
                    let visitor = adVisit(ad, at: at)
                    if random.chance(burning ? 0.03 : ad.registrationRate) {
                        let funnel = random.chance(0.75) ? Self.webinarFunnel : Self.leadMagnetFunnel
                        register(at: at + random.int(90...2_400), ad: adIndex, utm: Self.utm(of: ad), funnel: funnel, visitor: visitor)
                    }
                }
            }
            // Organic visitors (search, bookmarks, word of mouth) carry no UTM tags.
            for _ in 0..<random.poisson(10 * settings.scale * weekFactor) {
                let at = day * 86_400 + activeSecondOfDay()
                let page = random.pick(["https://school.example/", "https://school.example/webinar", "https://school.example/blog/first-steps"])
                let visitor = visit(at: at, url: page, utm: UTM(), clickIDs: nil)
                if random.chance(0.15) {
                    let funnel = page.hasSuffix("/webinar") ? Self.webinarFunnel : Self.leadMagnetFunnel
                    register(at: at + random.int(60...1_800), ad: nil, utm: UTM(), funnel: funnel, visitor: visitor)
                }
            }
            // Some sign up straight on the platform's form, with no tracked visit.
            for _ in 0..<random.poisson(2 * settings.scale) {
                register(at: day * 86_400 + activeSecondOfDay(), ad: nil, utm: UTM(), funnel: Self.webinarFunnel, visitor: nil)
            }
        }
    }

    /// The school's UTM convention (SPEC §3): source = network, campaign = campaign id, content = ad id.
    static func utm(of ad: Ad) -> UTM {
        UTM(source: ad.campaign.utmSource, medium: "cpc", campaign: ad.campaign.id, content: ad.id)
    }

    /// A click on `ad` that reached the landing page.
    mutating func adVisit(_ ad: Ad, at: Int) -> String {
        let clickIDs = ad.campaign.utmSource == "yandex" ? ["yclid": String(random.next() % 10_000_000_000)] : nil
        return visit(at: at, url: "https://school.example/webinar", utm: Self.utm(of: ad), clickIDs: clickIDs)
    }

    mutating func emitAdStats(_ ad: Ad, date: LocalDate, day: Int, impressions: Int, clicks: Int, costKopecks: Int) {
        let campaignName = day >= days / 2 ? ad.campaign.renamedTo ?? ad.campaign.name : ad.campaign.name
        // The evening poll sees most of the day; the poll just before midnight revises it. Only the later counts.
        let polls: [(at: Int, share: Double)] = [(day * 86_400 + 22 * 3_600 + 30 * 60, random.uniform(0.9...0.97)),
                                                 (day * 86_400 + 23 * 3_600 + 55 * 60, 1)]
        for poll in polls {
            let stats = AdStats(
                network: ad.campaign.network, accountID: ad.campaign.account, campaignID: ad.campaign.id, adID: ad.id, day: date,
                impressions: Int64((Double(impressions) * poll.share).rounded()),
                clicks: Int64((Double(clicks) * poll.share).rounded()),
                cost: DecimalNumber(significand: Int128((Double(costKopecks) * poll.share).rounded()), scale: 2),
                currency: "RUB", campaignName: campaignName, adGroupID: ad.groupID, adGroupName: ad.groupName, adName: ad.name)
            let stamp = timestamp(poll.at)
            let pollTag = stamp.text.prefix(16).replacingOccurrences(of: ":", with: "")
            emit(id: "\(ad.campaign.network):ad_stats:\(ad.campaign.account):\(ad.campaign.id):\(ad.id):\(date):\(pollTag)",
                 source: ad.campaign.network, at: poll.at, .adStats(stats))
        }
    }

    mutating func visit(at: Int, url: String, utm: UTM, clickIDs: [String: String]?) -> String {
        counters.visitor += 1
        let visitor = "v\(String(counters.visitor, radix: 16))\(String(random.next() % 0xFFFF, radix: 16))"
        var query: [String] = []
        if let source = utm.source { query.append("utm_source=\(source)") }
        if let medium = utm.medium { query.append("utm_medium=\(medium)") }
        if let campaign = utm.campaign { query.append("utm_campaign=\(campaign)") }
        if let content = utm.content { query.append("utm_content=\(content)") }
        let fullURL = query.isEmpty ? url : url + "?" + query.joined(separator: "&")
        emit(id: "tracker:click:\(visitor):1", source: "tracker", at: at,
             .click(Click(visitorID: visitor, url: fullURL, utm: utm, clickIDs: clickIDs)))
        return visitor
    }
}
