import Foundation
import Events

/// An independent, deliberately naive reference implementation of the `bi` views (SPEC §2–4).
///
/// It recomputes everything from the set of distinct events (by `id`, first occurrence wins),
/// with no incremental state, so property tests can compare the streaming worker against it.
/// Every rule here is derived from SPEC's text; `OracleReadings.swift` lists the readings chosen
/// where SPEC leaves a choice.
package struct Oracle {
    /// A view row keyed by column name, values in the normalized text form of `Oracle.normalize`.
    package typealias Row = [String: String?]
    package typealias FXRate = (base: String, currency: String, day: LocalDate, rate: DecimalNumber)

    /// How to break a tie on `occurred_at` when picking a payment's *first* `accepted` event.
    /// SPEC 4.8 says "every tie on occurred_at (… payments …) goes to the larger id, … and 'first'
    /// registration to the smaller one". The default is that literal reading: of accepted events at
    /// one instant, the larger id is the first; `false` takes the minimum of (occurred_at, id).
    package var firstAcceptedTieGoesToLargerID = true {
        didSet { model = Model(oracle: self) }
    }

    /// The distinct events (first occurrence of each id) that are applied, in input order.
    package private(set) var applied: [Event] = []
    /// Distinct events excluded because a currency rate is missing (they would be dead-lettered).
    package private(set) var deadLettered: [Event] = []

    package let timeZones: [String: TimeZone]
    package let baseCurrencies: [String: String]
    private let rateTable: [RateKey: [(day: LocalDate, rate: DecimalNumber)]]
    var model: Model! = nil

    package init(events: [Event], rates: [FXRate], timeZones: [String: TimeZone] = [:], baseCurrencies: [String: String] = [:]) {
        self.timeZones = timeZones
        self.baseCurrencies = baseCurrencies
        var table: [RateKey: [(day: LocalDate, rate: DecimalNumber)]] = [:]
        for rate in rates {
            let key = RateKey(base: rate.base, currency: rate.currency)
            // A later entry for the same (base, currency, day) replaces an earlier one.
            table[key, default: []].removeAll { $0.day == rate.day }
            table[key, default: []].append((rate.day, rate.rate))
        }
        for key in table.keys { table[key]!.sort { $0.day < $1.day } }
        self.rateTable = table

        var seen = Set<String>()
        for event in events where seen.insert(event.id).inserted {
            if Self.needsRate(event, rateTable: table, timeZones: timeZones, baseCurrencies: baseCurrencies) {
                deadLettered.append(event)
            } else {
                applied.append(event)
            }
        }
        model = Model(oracle: self)
    }

    // MARK: - Configuration and helpers

    package func zone(_ project: String) -> TimeZone { timeZones[project] ?? .projectDefault }
    package func base(_ project: String) -> String { baseCurrencies[project] ?? "RUB" }
    package func day(_ instant: Instant, _ project: String) -> LocalDate { localDate(of: instant, in: zone(project)) }

    package struct RateKey: Hashable { let base: String; let currency: String }

    package static func rate(base: String, currency: String, on day: LocalDate,
                     table: [RateKey: [(day: LocalDate, rate: DecimalNumber)]]) -> DecimalNumber? {
        if currency == base { return 1 }
        guard let list = table[RateKey(base: base, currency: currency)] else { return nil }
        return list.last(where: { $0.day <= day })?.rate
    }

    /// The event's money amount, currency and rate day, if it carries money.
    private static func money(_ event: Event, zone: TimeZone) -> (amount: DecimalNumber, currency: String, day: LocalDate)? {
        switch event.data {
        case .order(let o): (o.amount, o.currency, localDate(of: event.occurredAt, in: zone))
        case .payment(let p): (p.amount, p.currency, localDate(of: event.occurredAt, in: zone))
        case .adStats(let a): (a.cost, a.currency, a.day)
        default: nil
        }
    }

    private static func needsRate(_ event: Event, rateTable: [RateKey: [(day: LocalDate, rate: DecimalNumber)]],
                                  timeZones: [String: TimeZone], baseCurrencies: [String: String]) -> Bool {
        let zone = timeZones[event.project] ?? .projectDefault
        guard let money = money(event, zone: zone) else { return false }
        let base = baseCurrencies[event.project] ?? "RUB"
        return rate(base: base, currency: money.currency, on: money.day, table: rateTable) == nil
    }

    /// The event's amount in its project's base currency, rounded half away from zero to 2 decimals.
    package func baseAmount(_ event: Event) -> DecimalNumber {
        let money = Self.money(event, zone: zone(event.project))!
        let rate = Self.rate(base: base(event.project), currency: money.currency, on: money.day, table: rateTable)!
        return (money.amount * rate).rounded(toScale: 2)
    }

    /// `a` strictly before `b` in the total order (occurred_at, id by code point).
    package static func before(_ a: Event, _ b: Event) -> Bool {
        if a.occurredAt != b.occurredAt { return a.occurredAt < b.occurredAt }
        return idLess(a.id, b.id)
    }

    package static func idLess(_ a: String, _ b: String) -> Bool {
        Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    // MARK: - Derived facts (full recomputation)

    package struct OrderFacts {
        var project: String
        var orderID: String
        var user: String
        var createdDay: LocalDate
        var manager: String?
        var paidDay: LocalDate?
    }

    package struct Accepted {
        var at: Instant
        var day: LocalDate
        var user: String
        var orderID: String
        var amount: DecimalNumber
    }

    package struct Refund {
        var day: LocalDate
        var user: String
        var orderID: String
        var amount: DecimalNumber
    }

    package struct PaymentFacts {
        var project: String
        var paymentID: String
        var accepted: Accepted?
        var refund: Refund?
    }

    package struct UserKey: Hashable { let project: String; let user: String }
    package struct IDKey: Hashable { let project: String; let id: String }

    package struct Model {
        var projects: Set<String> = []
        var users: [String: Set<String>] = [:]                 // project → users
        var firstRegistration: [UserKey: Event] = [:]
        var orders: [IDKey: OrderFacts] = [:]
        var payments: [IDKey: PaymentFacts] = [:]
        var latestMonth: [String: LocalDate] = [:]              // project → month start
        var chatActive: Set<UserKey> = []

        init(oracle: Oracle) {
            var orderEvents: [IDKey: [Event]] = [:]
            var paymentEvents: [IDKey: [Event]] = [:]
            for event in oracle.applied {
                // SPEC §4.15: identity and learning events add no users and do not move the latest
                // month; their own effects (§4.12–4.14) are not part of this oracle yet.
                if event.type == .identity || event.type == .learning { continue }
                let p = event.project
                projects.insert(p)
                let month = oracle.day(event.occurredAt, p).monthStart
                if let current = latestMonth[p] { if current < month { latestMonth[p] = month } } else { latestMonth[p] = month }
                switch event.data {
                case .registration(let r):
                    users[p, default: []].insert(r.userID)
                    let key = UserKey(project: p, user: r.userID)
                    if let current = firstRegistration[key] {
                        if Oracle.before(event, current) { firstRegistration[key] = event }
                    } else {
                        firstRegistration[key] = event
                    }
                case .order(let o):
                    users[p, default: []].insert(o.userID)
                    orderEvents[IDKey(project: p, id: o.orderID), default: []].append(event)
                case .payment(let pay):
                    users[p, default: []].insert(pay.userID)
                    paymentEvents[IDKey(project: p, id: pay.paymentID), default: []].append(event)
                case .mail(let m):
                    users[p, default: []].insert(m.userID)
                case .chat(let c):
                    users[p, default: []].insert(c.userID)
                    if c.kind == .message { chatActive.insert(UserKey(project: p, user: c.userID)) }
                case .click, .adStats, .identity, .learning:
                    break
                }
            }
            for (key, events) in orderEvents {
                let sorted = events.sorted(by: Oracle.before)
                let latest = sorted.last!
                guard case .order(let state) = latest.data else { continue }
                var paidDay: LocalDate?
                if state.status == .paid {
                    let lastNonPaid = sorted.lastIndex { e in
                        if case .order(let o) = e.data { return o.status != .paid }
                        return false
                    }
                    let becamePaid = sorted[(lastNonPaid ?? -1) + 1]
                    paidDay = oracle.day(becamePaid.occurredAt, key.project)
                }
                orders[key] = OrderFacts(project: key.project, orderID: key.id, user: state.userID,
                                         createdDay: oracle.day(state.createdAt, key.project),
                                         manager: state.managerID, paidDay: paidDay)
            }
            for (key, events) in paymentEvents {
                let sorted = events.sorted(by: Oracle.before)
                var facts = PaymentFacts(project: key.project, paymentID: key.id)
                let acceptedEvents = sorted.filter { e in
                    if case .payment(let pay) = e.data { return pay.status == .accepted }
                    return false
                }
                if var first = acceptedEvents.first {
                    if oracle.firstAcceptedTieGoesToLargerID {
                        first = acceptedEvents.last { $0.occurredAt == first.occurredAt }!
                    }
                    if case .payment(let pay) = first.data {
                        facts.accepted = Accepted(at: first.occurredAt, day: oracle.day(first.occurredAt, key.project),
                                                  user: pay.userID, orderID: pay.orderID, amount: oracle.baseAmount(first))
                    }
                }
                let latest = sorted.last!
                if case .payment(let pay) = latest.data, pay.status == .refunded {
                    facts.refund = Refund(day: oracle.day(latest.occurredAt, key.project), user: pay.userID,
                                          orderID: pay.orderID, amount: oracle.baseAmount(latest))
                }
                payments[key] = facts
            }
        }
    }

    /// A user's attribution: that of their first registration, else `(unattributed)`.
    package func attribution(project: String, user: String) -> Attribution {
        guard let first = model.firstRegistration[UserKey(project: project, user: user)],
              case .registration(let r) = first.data else { return .unattributed }
        return AttributionRules().attribution(of: r.utm)
    }

    /// The month start of the user's first registration, nil for the NULL cohort.
    package func cohortMonth(project: String, user: String) -> LocalDate? {
        model.firstRegistration[UserKey(project: project, user: user)].map { day($0.occurredAt, project).monthStart }
    }

    // MARK: - Funnel

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
        for event in applied {
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

    private static func measureColumns(_ m: FunnelMeasures) -> Row {
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

    // MARK: - Creatives

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

    // MARK: - Cohorts

    package struct UserMoney { var payments = 0; var revenue: DecimalNumber = 0; var refunds: DecimalNumber = 0 }
    package struct UserMonth: Hashable { let project: String; let user: String; let month: LocalDate }

    /// Money per (project, user, month): accepted payments by the accepting user, refunds by the refunding one.
    package func userMonthly() -> [UserMonth: UserMoney] {
        var result: [UserMonth: UserMoney] = [:]
        for (_, payment) in model.payments {
            if let a = payment.accepted {
                let key = UserMonth(project: payment.project, user: a.user, month: a.day.monthStart)
                result[key, default: .init()].payments += 1
                result[key, default: .init()].revenue += a.amount
            }
            if let r = payment.refund {
                result[UserMonth(project: payment.project, user: r.user, month: r.day.monthStart), default: .init()].refunds += r.amount
            }
        }
        return result
    }

    package func cohortsMonthly() -> [Row] {
        let money = userMonthly()
        var rows: [Row] = []
        for project in model.projects.sorted() {
            guard let lastMonth = model.latestMonth[project] else { continue }
            var cohorts: [LocalDate?: [String]] = [:]
            for user in model.users[project] ?? [] {
                cohorts[cohortMonth(project: project, user: user), default: []].append(user)
            }
            let orderedCohorts = cohorts.keys.sorted { l, r in
                switch (l, r) { case (nil, _): false; case (_, nil): true; case let (l?, r?): l < r }
            }
            for cohort in orderedCohorts {
                let members = Set(cohorts[cohort]!)
                // Money of the cohort per month (only months from the cohort month on).
                var perMonth: [LocalDate: (payers: Int, payments: Int, revenue: DecimalNumber, refunds: DecimalNumber)] = [:]
                for (key, m) in money where key.project == project && members.contains(key.user) {
                    if let cohort, key.month < cohort { continue }
                    var v = perMonth[key.month] ?? (0, 0, 0, 0)
                    if m.payments > 0 { v.payers += 1 }
                    v.payments += m.payments
                    v.revenue += m.revenue
                    v.refunds += m.refunds
                    perMonth[key.month] = v
                }
                guard var month = cohort ?? perMonth.keys.min() else { continue }
                var cumulative: DecimalNumber = 0
                while month <= lastMonth {
                    let v = perMonth[month] ?? (0, 0, 0, 0)
                    cumulative += v.revenue - v.refunds
                    var monthsSince: String?
                    if let cohort { monthsSince = String((month.year - cohort.year) * 12 + month.month - cohort.month) }
                    rows.append([
                        "project": project, "cohort_month": cohort?.description, "month": month.description,
                        "months_since": monthsSince, "cohort_users": String(members.count),
                        "payers": String(v.payers), "payments": String(v.payments),
                        "revenue": Self.num(v.revenue), "refunds": Self.num(v.refunds),
                        "cumulative_revenue": Self.num(cumulative),
                        "ltv": Self.ratio(cumulative, DecimalNumber(members.count)),
                    ])
                    month = month.month == 12 ? LocalDate(year: month.year + 1, month: 1, day: 1)!
                                              : LocalDate(year: month.year, month: month.month + 1, day: 1)!
                }
            }
        }
        return rows
    }

    // MARK: - Managers

    package func managersDaily() -> [Row] {
        struct Key: Hashable { let project: String; let manager: String?; let day: LocalDate }
        var acc: [Key: (orders: Int, paid: Int, revenue: DecimalNumber)] = [:]
        for (_, order) in model.orders {
            let created = Key(project: order.project, manager: order.manager, day: order.createdDay)
            acc[created, default: (0, 0, 0)].orders += 1
            if let paidDay = order.paidDay {
                acc[Key(project: order.project, manager: order.manager, day: paidDay), default: (0, 0, 0)].paid += 1
            }
        }
        for (_, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            let manager = model.orders[IDKey(project: payment.project, id: a.orderID)]?.manager
            acc[Key(project: payment.project, manager: manager, day: a.day), default: (0, 0, 0)].revenue += a.amount
        }
        return acc.sorted { ($0.key.project, $0.key.manager ?? "", $0.key.day.description) < ($1.key.project, $1.key.manager ?? "", $1.key.day.description) }
            .map { key, v in
                [
                    "project": key.project, "manager_id": key.manager, "day": key.day.description,
                    "orders": String(v.orders), "paid_orders": String(v.paid), "revenue": Self.num(v.revenue),
                    "conversion": Self.ratio(DecimalNumber(v.paid), DecimalNumber(v.orders)),
                ]
            }
    }

    // MARK: - Mail

    package struct Letter: Hashable, Comparable {
        let project, channel, letterID: String
        package static func < (l: Letter, r: Letter) -> Bool { (l.project, l.channel, l.letterID) < (r.project, r.channel, r.letterID) }
    }

    private func mailEvents() -> [(event: Event, mail: Mail)] {
        applied.compactMap { e in if case .mail(let m) = e.data { (e, m) } else { nil } }
    }

    /// Per (letter, user): the first `opened` and first `clicked` event instants.
    private func firstMailEvents(_ kind: MailEvent) -> [Letter: [String: Instant]] {
        var result: [Letter: [String: Instant]] = [:]
        for (e, m) in mailEvents() where m.event == kind {
            let letter = Letter(project: e.project, channel: m.channel, letterID: m.letterID)
            if let current = result[letter]?[m.userID], current <= e.occurredAt { continue }
            result[letter, default: [:]][m.userID] = e.occurredAt
        }
        return result
    }

    package func mailDaily() -> [Row] {
        struct Key: Hashable { let letter: Letter; let day: LocalDate }
        var counts: [Key: [MailEvent: Int]] = [:]
        for (e, m) in mailEvents() {
            let key = Key(letter: Letter(project: e.project, channel: m.channel, letterID: m.letterID), day: day(e.occurredAt, e.project))
            counts[key, default: [:]][m.event, default: 0] += 1
        }
        var uniques: [Key: (opens: Int, clicks: Int)] = [:]
        for (letter, users) in firstMailEvents(.opened) {
            for (_, at) in users { uniques[Key(letter: letter, day: day(at, letter.project)), default: (0, 0)].opens += 1 }
        }
        for (letter, users) in firstMailEvents(.clicked) {
            for (_, at) in users { uniques[Key(letter: letter, day: day(at, letter.project)), default: (0, 0)].clicks += 1 }
        }
        return counts.sorted { ($0.key.letter, $0.key.day) < ($1.key.letter, $1.key.day) }.map { key, c in
            var row: Row = [
                "project": key.letter.project, "channel": key.letter.channel, "letter_id": key.letter.letterID,
                "day": key.day.description,
                "unique_opens": String(uniques[key]?.opens ?? 0), "unique_clicks": String(uniques[key]?.clicks ?? 0),
            ]
            for kind in MailEvent.allCases { row[kind.rawValue] = String(c[kind] ?? 0) }
            return row
        }
    }

    /// payment (project, payment_id) → letter credited by the after-click rule of SPEC 4.8.
    package func afterClickCredit() -> [IDKey: Letter] {
        var clicks: [UserKey: [Event]] = [:]
        for (e, m) in mailEvents() where m.event == .clicked {
            clicks[UserKey(project: e.project, user: m.userID), default: []].append(e)
        }
        let week: Int64 = 7 * 24 * 3600 * 1_000_000
        var result: [IDKey: Letter] = [:]
        for (key, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            let candidates = (clicks[UserKey(project: key.project, user: a.user)] ?? []).filter { $0.occurredAt < a.at }
            guard let click = candidates.max(by: Self.before), click.occurredAt.microseconds(to: a.at) <= week,
                  case .mail(let m) = click.data else { continue }
            result[key] = Letter(project: key.project, channel: m.channel, letterID: m.letterID)
        }
        return result
    }

    package func mailLetters() -> [Row] {
        var counts: [Letter: [MailEvent: Int]] = [:]
        for (e, m) in mailEvents() {
            counts[Letter(project: e.project, channel: m.channel, letterID: m.letterID), default: [:]][m.event, default: 0] += 1
        }
        let opens = firstMailEvents(.opened), clicks = firstMailEvents(.clicked)
        var credit: [Letter: (payers: Set<String>, revenue: DecimalNumber)] = [:]
        for (key, letter) in afterClickCredit() {
            let a = model.payments[key]!.accepted!
            credit[letter, default: ([], 0)].payers.insert(a.user)
            credit[letter, default: ([], 0)].revenue += a.amount
        }
        return counts.sorted { $0.key < $1.key }.map { letter, c in
            let n = { (k: MailEvent) in c[k] ?? 0 }
            let uniqueOpens = opens[letter]?.count ?? 0, uniqueClicks = clicks[letter]?.count ?? 0
            var row: Row = [
                "project": letter.project, "channel": letter.channel, "letter_id": letter.letterID,
                "unique_opens": String(uniqueOpens), "unique_clicks": String(uniqueClicks),
                "delivery_rate": Self.ratio(DecimalNumber(n(.delivered)), DecimalNumber(n(.sent))),
                "open_rate": Self.ratio(DecimalNumber(uniqueOpens), DecimalNumber(n(.delivered))),
                "click_rate": Self.ratio(DecimalNumber(uniqueClicks), DecimalNumber(n(.delivered))),
                "unsubscribe_rate": Self.ratio(DecimalNumber(n(.unsubscribed)), DecimalNumber(n(.delivered))),
                "payers_after_click": String(credit[letter]?.payers.count ?? 0),
                "revenue_after_click": Self.num(credit[letter]?.revenue ?? 0),
            ]
            for kind in MailEvent.allCases { row[kind.rawValue] = String(n(kind)) }
            return row
        }
    }

    // MARK: - Chat and community

    package func chatDaily() -> [Row] {
        struct Key: Hashable { let project, chat: String; let day: LocalDate }
        var acc: [Key: (messages: Int, members: Set<String>, joins: Int, leaves: Int)] = [:]
        for e in applied {
            guard case .chat(let c) = e.data else { continue }
            let key = Key(project: e.project, chat: c.chatID, day: day(e.occurredAt, e.project))
            var v = acc[key] ?? (0, [], 0, 0)
            switch c.kind {
            case .message: v.messages += 1; v.members.insert(c.userID)
            case .join: v.joins += 1
            case .leave: v.leaves += 1
            }
            acc[key] = v
        }
        return acc.sorted { ($0.key.project, $0.key.chat, $0.key.day.description) < ($1.key.project, $1.key.chat, $1.key.day.description) }
            .map { key, v in
                [
                    "project": key.project, "chat_id": key.chat, "day": key.day.description,
                    "messages": String(v.messages), "active_members": String(v.members.count),
                    "joins": String(v.joins), "leaves": String(v.leaves),
                ]
            }
    }

    package func communityConversion() -> [Row] {
        var moneyByUser: [UserKey: (payments: Int, revenue: DecimalNumber)] = [:]
        for (_, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            moneyByUser[UserKey(project: payment.project, user: a.user), default: (0, 0)].payments += 1
            moneyByUser[UserKey(project: payment.project, user: a.user), default: (0, 0)].revenue += a.amount
        }
        struct Key: Hashable { let project: String; let cohort: LocalDate?; let active: Bool }
        var acc: [Key: (users: Int, payers: Int, revenue: DecimalNumber)] = [:]
        for (project, users) in model.users {
            for user in users {
                let uk = UserKey(project: project, user: user)
                let key = Key(project: project, cohort: cohortMonth(project: project, user: user), active: model.chatActive.contains(uk))
                var v = acc[key] ?? (0, 0, 0)
                v.users += 1
                if let m = moneyByUser[uk] {
                    if m.payments > 0 { v.payers += 1 }
                    v.revenue += m.revenue
                }
                acc[key] = v
            }
        }
        return acc.sorted { ($0.key.project, $0.key.cohort?.description ?? "~", $0.key.active ? 1 : 0) < ($1.key.project, $1.key.cohort?.description ?? "~", $1.key.active ? 1 : 0) }
            .map { key, v in
                [
                    "project": key.project, "cohort_month": key.cohort?.description, "chat_active": key.active ? "true" : "false",
                    "users": String(v.users), "payers": String(v.payers), "revenue": Self.num(v.revenue),
                ]
            }
    }

    // MARK: - Overview

    package func overviewDaily() -> [Row] {
        struct Key: Hashable { let project: String; let day: LocalDate }
        var totals: [Key: FunnelMeasures] = [:]
        for (key, m) in funnel() {
            let k = Key(project: key.project, day: key.day)
            totals[k] = (totals[k] ?? .init()) + m
        }
        var newUsers: [Key: Int] = [:]
        for (user, first) in model.firstRegistration {
            newUsers[Key(project: user.project, day: day(first.occurredAt, user.project)), default: 0] += 1
        }
        return totals.sorted { ($0.key.project, $0.key.day.description) < ($1.key.project, $1.key.day.description) }
            .map { key, m in
                var row = Self.measureColumns(m)
                row["project"] = key.project
                row["day"] = key.day.description
                row["avg_check"] = Self.ratio(m.revenue, DecimalNumber(m.payments))
                row["new_users"] = String(newUsers[key] ?? 0)
                return row
            }
    }

    // MARK: - By name

    /// The rows of a view by its name without the `bi.` prefix (traffic_summary excluded: it takes arguments).
    package func rows(view: String) -> [Row]? {
        switch view {
        case "funnel_daily": funnelDaily()
        case "traffic_report": trafficReport()
        case "creative_daily": creativeDaily()
        case "creative_burnout": creativeBurnout()
        case "cohorts_monthly": cohortsMonthly()
        case "managers_daily": managersDaily()
        case "mail_daily": mailDaily()
        case "mail_letters": mailLetters()
        case "chat_daily": chatDaily()
        case "community_conversion": communityConversion()
        case "overview_daily": overviewDaily()
        case "products_daily": productsDaily()
        case "order_tags_daily": orderTagsDaily()
        case "deal_funnel_daily": dealFunnelDaily()
        case "ads": ads()
        case "managers": managers()
        default: nil
        }
    }

    // MARK: - Formatting

    /// A numeric in normalized text form.
    package static func num(_ value: DecimalNumber) -> String {
        normalizeNumber(value.description)
    }

    /// `numerator / denominator` rounded half away from zero to 6 decimals, normalized; nil when the denominator is 0.
    package static func ratio(_ numerator: DecimalNumber, _ denominator: DecimalNumber) -> String? {
        guard let q = numerator.divided(by: denominator, toScale: 6) else { return nil }
        return normalizeNumber(q.description)
    }
}
