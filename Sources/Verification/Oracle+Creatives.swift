import Foundation
import Events

/// SPEC §4.2: creative burnout (`creative_daily`, `creative_burnout`).
extension Oracle {
    package func creativeDaily() -> [Row] {
        var rows: [Row] = []
        var running: (key: [String], spend: DecimalNumber, revenue: DecimalNumber, profit: DecimalNumber)?
        for (key, m) in funnel().sorted(by: { $0.key < $1.key }) {
            let ad = [key.project, key.network, key.campaignID, key.adID]
            if running?.key != ad { running = (ad, 0, 0, 0) }
            running!.spend += m.spend
            running!.revenue += m.revenue
            running!.profit += m.profit
            rows.append([
                "project": key.project, "network": key.network, "campaign_id": key.campaignID, "ad_id": key.adID,
                "day": key.day.description, "spend": Self.num(m.spend), "impressions": String(m.impressions),
                "ad_clicks": String(m.adClicks), "registrations": String(m.registrations), "revenue": Self.num(m.revenue),
                "profit": Self.num(m.profit), "cum_spend": Self.num(running!.spend),
                "cum_revenue": Self.num(running!.revenue), "cum_profit": Self.num(running!.profit),
            ])
        }
        return rows
    }

    package func creativeBurnout() -> [Row] {
        let facts = funnel()
        var latest: [String: LocalDate] = [:]
        for key in facts.keys { latest[key.project] = max(latest[key.project] ?? key.day, key.day) }
        struct Ad: Hashable { let project, network, campaign, ad: String }
        struct Acc {
            var first: LocalDate, last: LocalDate
            var spend: DecimalNumber = 0, revenue: DecimalNumber = 0, profit: DecimalNumber = 0
            var profitLast7: DecimalNumber = 0, profitPrev7: DecimalNumber = 0, spendLast7: DecimalNumber = 0
        }
        var acc: [Ad: Acc] = [:]
        for (key, m) in facts {
            let ad = Ad(project: key.project, network: key.network, campaign: key.campaignID, ad: key.adID)
            var a = acc[ad] ?? Acc(first: key.day, last: key.day)
            a.first = min(a.first, key.day)
            a.last = max(a.last, key.day)
            a.spend += m.spend
            a.revenue += m.revenue
            a.profit += m.profit
            let age = key.day.days(to: latest[key.project]!)   // 0 = the latest day
            if age <= 6 {
                a.profitLast7 += m.profit
                a.spendLast7 += m.spend
            } else if age <= 13 {
                a.profitPrev7 += m.profit
            }
            acc[ad] = a
        }
        return acc.sorted { ($0.key.project, $0.key.network, $0.key.campaign, $0.key.ad) < ($1.key.project, $1.key.network, $1.key.campaign, $1.key.ad) }
            .map { ad, a in
                let latestDay = latest[ad.project]!
                let status: String
                if a.first >= latestDay.adding(days: -13) {
                    status = "new"
                } else if a.spendLast7 > 0 && a.profitLast7 <= 0 {
                    status = "burnt_out"
                } else if a.profitPrev7 > 0 && a.profitLast7 * 2 < a.profitPrev7 {
                    status = "stagnating"
                } else {
                    status = "growing"
                }
                return [
                    "project": ad.project, "network": ad.network, "campaign_id": ad.campaign, "ad_id": ad.ad,
                    "first_day": a.first.description, "last_day": a.last.description,
                    "cum_spend": Self.num(a.spend), "cum_revenue": Self.num(a.revenue), "cum_profit": Self.num(a.profit),
                    "profit_last_7d": Self.num(a.profitLast7), "profit_prev_7d": Self.num(a.profitPrev7),
                    "spend_last_7d": Self.num(a.spendLast7), "status": status,
                ]
            }
    }
}
