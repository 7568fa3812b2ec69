import Events

/// SPEC §3 (deal attribution) and §4.9–4.11 (products, tags, deal funnel, names), recomputed from
/// the distinct events with no state of the worker's.
extension Oracle {
    /// An order's current state: its latest event (by occurred_at, ties the larger id).
    struct CurrentOrder {
        let event: Event
        let order: Order
    }

    func currentOrders() -> [IDKey: CurrentOrder] {
        var result: [IDKey: CurrentOrder] = [:]
        for event in resolved {
            guard case .order(let order) = event.data else { continue }
            let key = IDKey(project: event.project, id: order.orderID)
            if let current = result[key], !Oracle.before(current.event, event) { continue }
            result[key] = CurrentOrder(event: event, order: order)
        }
        return result
    }

    /// One fact of §4.9: an order created or become paid, a payment accepted or refunded, on its
    /// day, with the order it counts under (nil: a payment whose order has no event).
    struct OrderFact {
        let project: String
        let day: LocalDate
        let order: CurrentOrder?
        var orders = 0, paidOrders = 0, payments = 0
        var revenue: DecimalNumber = 0, refunds: DecimalNumber = 0
    }

    func orderFacts() -> [OrderFact] {
        let current = currentOrders()
        var facts: [OrderFact] = []
        for (key, order) in model.orders {
            facts.append(OrderFact(project: key.project, day: order.createdDay, order: current[key], orders: 1))
            if let paidDay = order.paidDay {
                facts.append(OrderFact(project: key.project, day: paidDay, order: current[key], paidOrders: 1))
            }
        }
        for (_, payment) in model.payments {
            if let accepted = payment.accepted {
                facts.append(OrderFact(project: payment.project, day: accepted.day,
                                       order: current[IDKey(project: payment.project, id: accepted.orderID)],
                                       payments: 1, revenue: accepted.amount))
            }
            if let refund = payment.refund {
                facts.append(OrderFact(project: payment.project, day: refund.day,
                                       order: current[IDKey(project: payment.project, id: refund.orderID)],
                                       refunds: refund.amount))
            }
        }
        return facts
    }

    /// The five money and order measures and `avg_check`, summed over facts.
    struct OrderMeasures {
        var orders = 0, paidOrders = 0, payments = 0
        var revenue: DecimalNumber = 0, refunds: DecimalNumber = 0

        mutating func add(_ fact: OrderFact) {
            orders += fact.orders
            paidOrders += fact.paidOrders
            payments += fact.payments
            revenue += fact.revenue
            refunds += fact.refunds
        }

        var columns: Row {
            ["orders": String(orders), "paid_orders": String(paidOrders), "payments": String(payments),
             "revenue": Oracle.num(revenue), "refunds": Oracle.num(refunds),
             "avg_check": Oracle.ratio(revenue, DecimalNumber(payments))]
        }
    }

    // MARK: - §4.9 products and tags

    package func productsDaily() -> [Row] {
        struct Key: Hashable { let project: String; let day: LocalDate; let product: String?; let offer: String? }
        var totals: [Key: OrderMeasures] = [:]
        for fact in orderFacts() {
            let key = Key(project: fact.project, day: fact.day,
                          product: fact.order.map { $0.order.product ?? "" }, offer: fact.order.map { $0.order.offer ?? "" })
            totals[key, default: OrderMeasures()].add(fact)
        }
        return totals.map { key, measures in
            var row = measures.columns
            row["project"] = key.project
            row["day"] = key.day.description
            row["product"] = .some(key.product)
            row["offer"] = .some(key.offer)
            return row
        }
    }

    /// A tag's kind and value: split at the first ':', kind '' when there is none.
    static func splitTag(_ tag: String) -> (kind: String, value: String) {
        guard let colon = tag.firstIndex(of: ":") else { return ("", tag) }
        return (String(tag[..<colon]), String(tag[tag.index(after: colon)...]))
    }

    package func orderTagsDaily() -> [Row] {
        struct Key: Hashable { let project: String; let day: LocalDate; let kind: String; let value: String }
        struct Tag: Hashable { let kind: String; let value: String }
        var totals: [Key: OrderMeasures] = [:]
        for fact in orderFacts() {
            guard let order = fact.order else { continue }
            let tags = Set((order.order.tags ?? []).map { Self.splitTag($0) }.map { Tag(kind: $0.kind, value: $0.value) })
            for tag in tags {
                totals[Key(project: fact.project, day: fact.day, kind: tag.kind, value: tag.value), default: OrderMeasures()].add(fact)
            }
        }
        return totals.map { key, measures in
            var row = measures.columns
            row["project"] = key.project
            row["day"] = key.day.description
            row["tag_kind"] = key.kind
            row["tag_value"] = key.value
            return row
        }
    }

    // MARK: - §3 and §4.10 deal attribution

    /// Every registration of each user.
    func registrationsByUser() -> [UserKey: [Event]] {
        var result: [UserKey: [Event]] = [:]
        for event in resolved {
            guard case .registration(let registration) = event.data else { continue }
            result[UserKey(project: event.project, user: registration.userID), default: []].append(event)
        }
        return result
    }

    /// SPEC §3: the order's deal attribution and funnel.
    func deal(of current: CurrentOrder, registrations: [UserKey: [Event]]) -> (attribution: Attribution, funnel: String) {
        let rules = AttributionRules()
        let candidates = registrations[UserKey(project: current.event.project, user: current.order.userID)] ?? []
        // The latest at or before created_at, ties the larger id: the last in (occurred_at, id) order.
        let atOrBefore = candidates.filter { $0.occurredAt <= current.order.createdAt }
        let entry = atOrBefore.max(by: Oracle.before) ?? candidates.min(by: Oracle.before)
        var entryUTM: UTM?
        var funnel = ""
        if let entry, case .registration(let registration) = entry.data {
            entryUTM = registration.utm
            funnel = registration.funnel ?? ""
        }
        if let utm = current.order.utm,
           [utm.source, utm.campaign, utm.content].contains(where: { !($0 ?? "").isEmpty }) {
            return (rules.attribution(of: utm), funnel)
        }
        return (entryUTM.map(rules.attribution(of:)) ?? .unattributed, funnel)
    }

    struct DealKey: Hashable {
        let project: String
        let day: LocalDate
        let funnel: String
        let attribution: Attribution
    }

    func dealFunnel() -> [DealKey: (registrations: Int, measures: OrderMeasures)] {
        let registrations = registrationsByUser()
        let rules = AttributionRules()
        var totals: [DealKey: (registrations: Int, measures: OrderMeasures)] = [:]
        for event in resolved {
            guard case .registration(let registration) = event.data else { continue }
            let key = DealKey(project: event.project, day: day(event.occurredAt, event.project),
                              funnel: registration.funnel ?? "", attribution: rules.attribution(of: registration.utm))
            totals[key, default: (0, OrderMeasures())].registrations += 1
        }
        for fact in orderFacts() {
            let orderDeal = fact.order.map { deal(of: $0, registrations: registrations) } ?? (attribution: Attribution.unattributed, funnel: "")
            let key = DealKey(project: fact.project, day: fact.day, funnel: orderDeal.funnel, attribution: orderDeal.attribution)
            totals[key, default: (0, OrderMeasures())].measures.add(fact)
        }
        return totals
    }

    package func dealFunnelDaily() -> [Row] {
        dealFunnel().map { key, value in
            [
                "project": key.project, "day": key.day.description, "funnel": key.funnel,
                "network": key.attribution.network, "campaign_id": key.attribution.campaignID, "ad_id": key.attribution.adID,
                "registrations": String(value.registrations), "orders": String(value.measures.orders),
                "paid_orders": String(value.measures.paidOrders), "payments": String(value.measures.payments),
                "revenue": Self.num(value.measures.revenue), "refunds": Self.num(value.measures.refunds),
            ]
        }
    }

    package func attributionCompare(project: String, from: LocalDate, to: LocalDate) -> [Row] {
        struct Totals {
            var spend: DecimalNumber = 0
            var paidFirst = 0, paidDeal = 0
            var revenueFirst: DecimalNumber = 0, revenueDeal: DecimalNumber = 0
            var refundsFirst: DecimalNumber = 0, refundsDeal: DecimalNumber = 0
        }
        var totals: [Attribution: Totals] = [:]
        for (key, m) in funnel() where key.project == project && key.day >= from && key.day <= to {
            let ad = Attribution(network: key.network, campaignID: key.campaignID, adID: key.adID)
            totals[ad, default: Totals()].spend += m.spend
            totals[ad, default: Totals()].paidFirst += m.paidOrders
            totals[ad, default: Totals()].revenueFirst += m.revenue
            totals[ad, default: Totals()].refundsFirst += m.refunds
        }
        for (key, value) in dealFunnel() where key.project == project && key.day >= from && key.day <= to {
            totals[key.attribution, default: Totals()].paidDeal += value.measures.paidOrders
            totals[key.attribution, default: Totals()].revenueDeal += value.measures.revenue
            totals[key.attribution, default: Totals()].refundsDeal += value.measures.refunds
        }
        return totals.compactMap { ad, t in
            let any = !t.spend.isZero || t.paidFirst != 0 || t.paidDeal != 0 || !t.revenueFirst.isZero
                || !t.revenueDeal.isZero || !t.refundsFirst.isZero || !t.refundsDeal.isZero
            guard any else { return nil }
            return [
                "network": ad.network, "campaign_id": ad.campaignID, "ad_id": ad.adID, "spend": Self.num(t.spend),
                "paid_orders_first": String(t.paidFirst), "paid_orders_deal": String(t.paidDeal),
                "revenue_first": Self.num(t.revenueFirst), "revenue_deal": Self.num(t.revenueDeal),
                "refunds_first": Self.num(t.refundsFirst), "refunds_deal": Self.num(t.refundsDeal),
                "romi_first": Self.ratio((t.revenueFirst - t.refundsFirst - t.spend) * 100, t.spend),
                "romi_deal": Self.ratio((t.revenueDeal - t.refundsDeal - t.spend) * 100, t.spend),
            ]
        }
    }

    // MARK: - §4.11 names

    /// The value of the latest event (by occurred_at, ties the larger id) giving a non-empty value.
    private static func latestNonEmpty(_ events: [(Event, String?)]) -> String? {
        events.filter { !($0.1 ?? "").isEmpty }.max { Oracle.before($0.0, $1.0) }?.1
    }

    package func ads() -> [Row] {
        var byAd: [AdIdentity: [(Event, AdStats)]] = [:]
        for event in resolved {
            guard case .adStats(let stats) = event.data else { continue }
            byAd[AdIdentity(project: event.project, network: stats.network, campaignID: stats.campaignID, adID: stats.adID),
                 default: []].append((event, stats))
        }
        return byAd.map { ad, polls in
            [
                "project": ad.project, "network": ad.network, "campaign_id": ad.campaignID, "ad_id": ad.adID,
                "campaign_name": Self.latestNonEmpty(polls.map { ($0.0, $0.1.campaignName) }),
                "ad_group_id": Self.latestNonEmpty(polls.map { ($0.0, $0.1.adGroupID) }),
                "ad_group_name": Self.latestNonEmpty(polls.map { ($0.0, $0.1.adGroupName) }),
                "ad_name": Self.latestNonEmpty(polls.map { ($0.0, $0.1.adName) }),
            ]
        }
    }

    package func managers() -> [Row] {
        var byManager: [IDKey: [(Event, String?)]] = [:]
        for event in resolved {
            guard case .order(let order) = event.data, let manager = order.managerID else { continue }
            byManager[IDKey(project: event.project, id: manager), default: []].append((event, order.managerName))
        }
        return byManager.map { key, events in
            ["project": key.project, "manager_id": key.id, "name": Self.latestNonEmpty(events)]
        }
    }

    struct AdIdentity: Hashable {
        let project, network, campaignID, adID: String
    }
}
