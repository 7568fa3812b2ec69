import Aggregation
import Events
import Foundation
import Testing

// Shared builders for the hand-computed scenario tests. Every event goes through
// `Event.decode(json:)`, so the tests feed the core exactly what a worker would.
// Project "p" uses the defaults: Europe/Moscow (UTC+3 all year, no DST) and RUB.

enum Fixture {
    static let project = "p"

    /// USD: 90 from 2026-01-01, 95.5 from 2026-03-10, 100 from 2026-03-11. EUR: 100.125 from 2026-02-01.
    static var rates: FxRates {
        var rates = FxRates()
        rates.add(base: "RUB", currency: "USD", day: day("2026-03-11"), rate: dec("100"))
        rates.add(base: "RUB", currency: "USD", day: day("2026-01-01"), rate: dec("90"))
        rates.add(base: "RUB", currency: "USD", day: day("2026-03-10"), rate: dec("95.5"))
        rates.add(base: "RUB", currency: "EUR", day: day("2026-02-01"), rate: dec("100.125"))
        return rates
    }

    static var processor: BatchProcessor {
        BatchProcessor(projects: ProjectDirectory(), attributionRules: .default, rates: rates)
    }
}

func dec(_ text: String) -> DecimalNumber {
    guard let value = DecimalNumber(text) else { fatalError("bad decimal \(text)") }
    return value
}

func day(_ text: String) -> LocalDate {
    guard let value = LocalDate(text) else { fatalError("bad date \(text)") }
    return value
}

func instant(_ text: String) -> Instant {
    guard let value = Instant(rfc3339: text) else { fatalError("bad instant \(text)") }
    return value
}

func user(_ id: String, project: String = Fixture.project) -> UserKey { UserKey(project: project, userID: id) }
func entity(_ id: String, project: String = Fixture.project) -> EntityKey { EntityKey(project: project, id: id) }
func attr(_ network: String, _ campaign: String = "", _ ad: String = "") -> Attribution {
    Attribution(network: network, campaignID: campaign, adID: ad)
}
func fkey(_ dayText: String, _ attribution: Attribution, project: String = Fixture.project) -> FunnelKey {
    FunnelKey(project: project, day: day(dayText), attribution: attribution)
}
func udkey(_ userID: String, _ dayText: String) -> UserDayKey { UserDayKey(user: user(userID), day: day(dayText)) }
func umkey(_ userID: String, _ monthText: String) -> UserMonthKey { UserMonthKey(user: user(userID), month: day(monthText)) }
func pdkey(_ dayText: String, project: String = Fixture.project) -> ProjectDayKey {
    ProjectDayKey(project: project, day: day(dayText))
}
func stamp(_ at: String, _ id: String) -> EventStamp { EventStamp(at: instant(at), id: id) }

/// Funnel measures from named figures (money as decimal strings).
func fm(impressions: Int64 = 0, adClicks: Int64 = 0, spend: String = "0", visits: Int64 = 0, registrations: Int64 = 0,
        orders: Int64 = 0, paidOrders: Int64 = 0, payments: Int64 = 0, revenue: String = "0", refunds: String = "0") -> FunnelMeasures {
    var m = FunnelMeasures()
    m.impressions = impressions
    m.adClicks = adClicks
    m.spend = dec(spend)
    m.visits = visits
    m.registrations = registrations
    m.orders = orders
    m.paidOrders = paidOrders
    m.payments = payments
    m.revenue = dec(revenue)
    m.refunds = dec(refunds)
    return m
}

func lm(registrations: Int64 = 0, orders: Int64 = 0, paidOrders: Int64 = 0, payments: Int64 = 0,
        revenue: String = "0", refunds: String = "0") -> LedgerMeasures {
    LedgerMeasures(registrations: registrations, orders: orders, paidOrders: paidOrders, payments: payments,
                   revenue: dec(revenue), refunds: dec(refunds))
}

func mm(payments: Int64 = 0, revenue: String = "0", refunds: String = "0") -> MonthMoney {
    MonthMoney(payments: payments, revenue: dec(revenue), refunds: dec(refunds))
}

// MARK: - Event builders (JSON → Event.decode)

private func quoted(_ value: String?) -> String {
    guard let value else { return "null" }
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

private func envelope(_ id: String, _ type: String, _ at: String, _ data: String, project: String) -> Event {
    let json = """
        {"id":\(quoted(id)),"type":"\(type)","project":\(quoted(project)),"source":"test",\
        "occurred_at":"\(at)","data":\(data)}
        """
    do {
        return try Event.decode(json: json)
    } catch {
        fatalError("fixture event \(id) does not decode: \(error)\n\(json)")
    }
}

/// UTM object: only the given keys are present (nil = key absent).
private func utmJSON(source: String?, campaign: String?, content: String?) -> String {
    var members: [String] = []
    if let source { members.append("\"source\":\(quoted(source))") }
    if let campaign { members.append("\"campaign\":\(quoted(campaign))") }
    if let content { members.append("\"content\":\(quoted(content))") }
    return "{" + members.joined(separator: ",") + "}"
}

func clickEvent(_ id: String, at: String, source: String? = nil, campaign: String? = nil, content: String? = nil,
                project: String = Fixture.project) -> Event {
    envelope(id, "click", at, """
        {"visitor_id":"v-\(id)","url":"https://school.example/","utm":\(utmJSON(source: source, campaign: campaign, content: content))}
        """, project: project)
}

func registrationEvent(_ id: String, user: String, at: String, source: String? = nil, campaign: String? = nil,
                       content: String? = nil, project: String = Fixture.project) -> Event {
    envelope(id, "registration", at, """
        {"user_id":\(quoted(user)),"utm":\(utmJSON(source: source, campaign: campaign, content: content))}
        """, project: project)
}

func orderEvent(_ id: String, order: String, user: String, status: String, at: String, createdAt: String,
                amount: String = "1000", currency: String = "RUB", manager: String? = nil,
                project: String = Fixture.project) -> Event {
    let managerMember = manager.map { ",\"manager_id\":\(quoted($0))" } ?? ""
    return envelope(id, "order", at, """
        {"order_id":\(quoted(order)),"user_id":\(quoted(user)),"status":"\(status)","amount":"\(amount)",\
        "currency":"\(currency)","created_at":"\(createdAt)"\(managerMember)}
        """, project: project)
}

func paymentEvent(_ id: String, payment: String, order: String = "o-any", user: String, status: String, at: String,
                  amount: String, currency: String = "RUB", project: String = Fixture.project) -> Event {
    envelope(id, "payment", at, """
        {"payment_id":\(quoted(payment)),"order_id":\(quoted(order)),"user_id":\(quoted(user)),"amount":"\(amount)",\
        "currency":"\(currency)","status":"\(status)"}
        """, project: project)
}

func mailEvent(_ id: String, letter: String, channel: String = "email", user: String, kind: String, at: String,
               project: String = Fixture.project) -> Event {
    envelope(id, "mail", at, """
        {"letter_id":\(quoted(letter)),"channel":\(quoted(channel)),"user_id":\(quoted(user)),"event":"\(kind)"}
        """, project: project)
}

func chatEvent(_ id: String, chat: String, user: String, kind: String, at: String, project: String = Fixture.project) -> Event {
    envelope(id, "chat", at, """
        {"chat_id":\(quoted(chat)),"message_id":"m-\(id)","user_id":\(quoted(user)),"kind":"\(kind)"}
        """, project: project)
}

func identityEvent(_ id: String, user: String, alias: String, at: String, project: String = Fixture.project) -> Event {
    envelope(id, "identity", at, """
        {"user_id":\(quoted(user)),"alias":\(quoted(alias))}
        """, project: project)
}

func learningEvent(_ id: String, user: String, course: String, lesson: String? = nil, kind: String, at: String,
                   project: String = Fixture.project) -> Event {
    let lessonMember = lesson.map { ",\"lesson_id\":\(quoted($0))" } ?? ""
    return envelope(id, "learning", at, """
        {"user_id":\(quoted(user)),"course_id":\(quoted(course))\(lessonMember),"kind":"\(kind)"}
        """, project: project)
}

func adStatsEvent(_ id: String, at: String, network: String = "yandex_direct", account: String = "acc1",
                  campaign: String = "camp1", ad: String = "ad1", day: String, impressions: Int64, clicks: Int64,
                  cost: String, currency: String = "RUB", project: String = Fixture.project) -> Event {
    envelope(id, "ad_stats", at, """
        {"network":\(quoted(network)),"account_id":\(quoted(account)),"campaign_id":\(quoted(campaign)),\
        "ad_id":\(quoted(ad)),"day":"\(day)","impressions":\(impressions),"clicks":\(clicks),"cost":"\(cost)",\
        "currency":"\(currency)"}
        """, project: project)
}

// MARK: - Comparing maps whose zero rows may be kept or dropped

func nonZero(_ funnel: [FunnelKey: FunnelMeasures]) -> [FunnelKey: FunnelMeasures] { funnel.filter { !$0.value.isZero } }
func nonZero(_ ledger: [UserDayKey: LedgerMeasures]) -> [UserDayKey: LedgerMeasures] { ledger.filter { !$0.value.isZero } }
func nonZero(_ money: [UserMonthKey: MonthMoney]) -> [UserMonthKey: MonthMoney] { money.filter { !$0.value.isZero } }
func nonZero(_ counts: [ProjectDayKey: Int64]) -> [ProjectDayKey: Int64] { counts.filter { $0.value != 0 } }

// MARK: - An in-memory stand-in for the stored state, to chain batches

/// Keeps what the database would: entity states, every user's ledger, and the accumulated
/// aggregate tables. `state(for:)` fetches what a batch needs the way the worker does (through
/// `BatchRequirements`), and `apply(_:)` stores a batch's changes.
struct MemoryStore {
    var users: [UserKey: UserState] = [:]
    var chatActive: Set<UserKey> = []
    var orders: [EntityKey: OrderState] = [:]
    var orderEvents: [EntityKey: [OrderStatusEvent]] = [:]
    var payments: [EntityKey: PaymentState] = [:]
    var adStats: [AdStatsKey: AdStatsState] = [:]
    var ledgers: [UserKey: [LocalDate: LedgerMeasures]] = [:]

    var funnel: [FunnelKey: FunnelMeasures] = [:]
    var userDaily: [UserDayKey: LedgerMeasures] = [:]
    var userMonthly: [UserMonthKey: MonthMoney] = [:]
    var newUsers: [ProjectDayKey: Int64] = [:]
    var rejectedIDs: [String] = []

    func state(for events: [Event]) -> BatchState {
        let needs = BatchRequirements(events)
        var state = BatchState()
        for key in needs.orders {
            if let order = orders[key] { state.orders[key] = order }
            if let events = orderEvents[key] { state.orderEvents[key] = events }
        }
        for key in needs.payments { if let payment = payments[key] { state.payments[key] = payment } }
        for key in needs.adStats { if let poll = adStats[key] { state.adStats[key] = poll } }
        for key in needs.users(with: state) { if let stored = users[key] { state.users[key] = stored } }
        for key in needs.ledgerUsers(with: state) { if let ledger = ledgers[key] { state.ledgers[key] = ledger } }
        return state
    }

    mutating func apply(_ changes: BatchChanges, events: [Event]) {
        for key in changes.usersSeen where users[key] == nil { users[key] = UserState() }
        for (key, value) in changes.users { users[key] = value }
        chatActive.formUnion(changes.chatActiveContacts)
        for (key, value) in changes.orders { orders[key] = value }
        for (key, value) in changes.newOrderEvents { orderEvents[key, default: []] += value }
        for (key, value) in changes.payments { payments[key] = value }
        for (key, value) in changes.adStats { adStats[key] = value }
        for (key, value) in changes.userDaily {
            ledgers[key.user, default: [:]][key.day, default: LedgerMeasures()] += value
            userDaily[key, default: LedgerMeasures()] += value
        }
        for (key, value) in changes.userMonthly { userMonthly[key, default: MonthMoney()] += value }
        for (key, value) in changes.funnel { funnel[key, default: FunnelMeasures()] += value }
        for (key, value) in changes.newUsers { newUsers[key, default: 0] += value }
        for index in changes.rejected.keys.sorted() { rejectedIDs.append(events[index].id) }
    }

    /// Processes `batches` one after another, each with the state the previous ones left.
    static func run(_ batches: [[Event]], processor: BatchProcessor = Fixture.processor) -> MemoryStore {
        var store = MemoryStore()
        for batch in batches {
            let changes = processor.process(batch, state: store.state(for: batch))
            store.apply(changes, events: batch)
        }
        return store
    }
}
