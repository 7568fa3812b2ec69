import Foundation
import Events

/// SPEC §4.1: the funnel by day and ad (`funnel_daily`), `traffic_report` and `traffic_summary`.
extension Oracle {
    package struct FunnelKey: Hashable, Comparable {
        let project: String
        let day: LocalDate
        let network: String
        let campaignID: String
        let adID: String

        init(_ project: String, _ day: LocalDate, _ a: Attribution) {
            self.project = project
            self.day = day
            self.network = a.network
            self.campaignID = a.campaignID
            self.adID = a.adID
        }

        package static func < (l: FunnelKey, r: FunnelKey) -> Bool {
            (l.project, l.network, l.campaignID, l.adID) != (r.project, r.network, r.campaignID, r.adID)
                ? (l.project, l.network, l.campaignID, l.adID) < (r.project, r.network, r.campaignID, r.adID)
                : l.day < r.day
        }
    }

    package struct FunnelMeasures {
        var impressions: Int64 = 0
        var adClicks: Int64 = 0
        var spend: DecimalNumber = 0
        var visits = 0
        var registrations = 0
        var orders = 0
        var paidOrders = 0
        var payments = 0
        var revenue: DecimalNumber = 0
        var refunds: DecimalNumber = 0

        static func + (l: FunnelMeasures, r: FunnelMeasures) -> FunnelMeasures {
            FunnelMeasures(impressions: l.impressions + r.impressions, adClicks: l.adClicks + r.adClicks,
                           spend: l.spend + r.spend, visits: l.visits + r.visits,
                           registrations: l.registrations + r.registrations, orders: l.orders + r.orders,
                           paidOrders: l.paidOrders + r.paidOrders, payments: l.payments + r.payments,
                           revenue: l.revenue + r.revenue, refunds: l.refunds + r.refunds)
        }

        var profit: DecimalNumber { revenue - refunds - spend }
    }

    /// The funnel facts keyed by (project, day, attribution).
    package func funnel() -> [FunnelKey: FunnelMeasures] {
        var result: [FunnelKey: FunnelMeasures] = [:]
        // ad_stats: latest poll per (project, network, account, campaign, ad, day).
        struct PollKey: Hashable { let project, network, account, campaign, ad: String; let day: LocalDate }
        var latestPoll: [PollKey: Event] = [:]
        for event in resolved {
            let p = event.project
            switch event.data {
            case .adStats(let a):
                let key = PollKey(project: p, network: a.network, account: a.accountID, campaign: a.campaignID, ad: a.adID, day: a.day)
                if let current = latestPoll[key] {
                    if Self.before(current, event) { latestPoll[key] = event }
                } else {
                    latestPoll[key] = event
                }
            case .click(let c):
                result[FunnelKey(p, day(event.occurredAt, p), AttributionRules().attribution(of: c.utm)), default: .init()].visits += 1
            case .registration(let r):
                result[FunnelKey(p, day(event.occurredAt, p), attribution(project: p, user: r.userID)), default: .init()].registrations += 1
            default:
                break
            }
        }
        for (_, event) in latestPoll {
            guard case .adStats(let a) = event.data else { continue }
            let key = FunnelKey(event.project, a.day, Attribution(network: a.network, campaignID: a.campaignID, adID: a.adID))
            result[key, default: .init()].impressions += a.impressions
            result[key, default: .init()].adClicks += a.clicks
            result[key, default: .init()].spend += baseAmount(event)
        }
        for (_, order) in model.orders {
            let a = attribution(project: order.project, user: order.user)
            result[FunnelKey(order.project, order.createdDay, a), default: .init()].orders += 1
            if let paidDay = order.paidDay {
                result[FunnelKey(order.project, paidDay, a), default: .init()].paidOrders += 1
            }
        }
        for (_, payment) in model.payments {
            if let accepted = payment.accepted {
                let key = FunnelKey(payment.project, accepted.day, attribution(project: payment.project, user: accepted.user))
                result[key, default: .init()].payments += 1
                result[key, default: .init()].revenue += accepted.amount
            }
            if let refund = payment.refund {
                let key = FunnelKey(payment.project, refund.day, attribution(project: payment.project, user: refund.user))
                result[key, default: .init()].refunds += refund.amount
            }
        }
        return result
    }

    static func measureColumns(_ m: FunnelMeasures) -> Row {
        [
            "impressions": String(m.impressions), "ad_clicks": String(m.adClicks), "spend": num(m.spend),
            "visits": String(m.visits), "registrations": String(m.registrations), "orders": String(m.orders),
            "paid_orders": String(m.paidOrders), "payments": String(m.payments), "revenue": num(m.revenue),
            "refunds": num(m.refunds),
        ]
    }

    package func funnelDaily() -> [Row] {
        funnel().sorted { $0.key < $1.key }.map { key, m in
            var row = Self.measureColumns(m)
            row["project"] = key.project
            row["day"] = key.day.description
            row["network"] = key.network
            row["campaign_id"] = key.campaignID
            row["ad_id"] = key.adID
            return row
        }
    }

    package func trafficReport() -> [Row] {
        funnel().sorted { $0.key < $1.key }.map { key, m in
            var row = Self.measureColumns(m)
            row["project"] = key.project
            row["day"] = key.day.description
            row["network"] = key.network
            row["campaign_id"] = key.campaignID
            row["ad_id"] = key.adID
            let spend = m.spend, net = m.revenue - m.refunds
            let d = { (x: Int) in DecimalNumber(x) }
            row["cpc"] = Self.ratio(spend, DecimalNumber(Int(m.adClicks)))
            row["cpr"] = Self.ratio(spend, d(m.registrations))
            row["cpa"] = Self.ratio(spend, d(m.orders))
            row["cpo"] = Self.ratio(spend, d(m.paidOrders))
            row["roas"] = Self.ratio(m.revenue, spend)
            row["romi"] = Self.ratio((net - spend) * 100, spend)
            row["drr"] = Self.ratio(spend * 100, net)
            row["ctr"] = Self.ratio(DecimalNumber(Int(m.adClicks)), DecimalNumber(Int(m.impressions)))
            row["cr_visit"] = Self.ratio(d(m.registrations), d(m.visits))
            row["cr_order"] = Self.ratio(d(m.orders), d(m.registrations))
            row["cr_paid"] = Self.ratio(d(m.paidOrders), d(m.orders))
            return row
        }
    }

    package func trafficSummary(project: String, from: LocalDate, to: LocalDate) -> [Row] {
        struct AdKey: Hashable, Comparable {
            let network, campaign, ad: String
            static func < (l: AdKey, r: AdKey) -> Bool { (l.network, l.campaign, l.ad) < (r.network, r.campaign, r.ad) }
        }
        var totals: [AdKey: FunnelMeasures] = [:]
        for (key, m) in funnel() where key.project == project && key.day >= from && key.day <= to {
            let ad = AdKey(network: key.network, campaign: key.campaignID, ad: key.adID)
            totals[ad] = (totals[ad] ?? .init()) + m
        }
        return totals.sorted { $0.key < $1.key }.map { ad, m in
            var row = Self.measureColumns(m)
            row["network"] = ad.network
            row["campaign_id"] = ad.campaign
            row["ad_id"] = ad.ad
            row["npc"] = Self.num(m.revenue.isZero ? m.spend : 0)
            return row
        }
    }
}
