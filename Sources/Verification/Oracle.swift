import Foundation
import Events

/// An independent, deliberately naive reference implementation of the `bi` views (SPEC §2–4).
///
/// It recomputes everything from the set of distinct events (by `id`, first occurrence wins),
/// with no incremental state, so property tests can compare the streaming worker against it.
/// Every rule here is derived from SPEC's text; `OracleReadings.swift` lists the readings chosen
/// where SPEC leaves a choice.
///
/// This file holds the events, rates and derived facts every view shares; each SPEC section's
/// views are in an extension of their own (`Oracle+Funnel.swift` for §4.1 to `Oracle+Overview.swift`
/// for §4.7, `Oracle+Business.swift` for §3 and §4.9–4.11, `Oracle+Identity.swift` for §4.12,
/// `Oracle+Learning.swift` for §4.13, `Oracle+Retention.swift` for §4.14).
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
    /// `applied` as every view reads it: SPEC §4.12's resolution done first, each `chat` and `mail`
    /// event of a linked alias rewritten as an event of the linked user (see `Oracle+Identity.swift`).
    package private(set) var resolved: [Event] = []

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
        // Before anything else (SPEC §4.12: "replaced by its user before anything else, whenever the
        // link arrives"): the views never see an alias of a chat or mail event.
        resolved = Self.resolveIdentities(applied)
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
            for event in oracle.resolved {
                // SPEC §4.15: identity and learning events add no users and do not move the latest
                // month; their effects are the resolution already done and §4.13–4.14's own views.
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
        case "learning_daily": learningDaily()
        case "course_progress": courseProgress()
        case "webinar_conversion": webinarConversion()
        case "retention_monthly": retentionMonthly()
        case "repeat_purchases": repeatPurchases()
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
