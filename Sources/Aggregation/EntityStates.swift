import Events

/// A user's first registration: what decides their attribution and cohort.
public struct FirstRegistration: Sendable, Hashable {
    public var stamp: EventStamp
    public var day: LocalDate
    public var attribution: Attribution

    public init(stamp: EventStamp, day: LocalDate, attribution: Attribution) {
        self.stamp = stamp
        self.day = day
        self.attribution = attribution
    }
}

/// What decides a user's attribution and cohort (`pipeline.users_log`).
public struct UserState: Sendable, Hashable {
    public var firstRegistration: FirstRegistration?

    public init(firstRegistration: FirstRegistration? = nil) {
        self.firstRegistration = firstRegistration
    }

    /// SPEC §3: the attribution of the first registration, or `(unattributed)` before any.
    public var attribution: Attribution { firstRegistration?.attribution ?? .unattributed }
}

/// One status event of an order, kept because the became-paid day needs the order's history.
public struct OrderStatusEvent: Sendable, Hashable {
    public var stamp: EventStamp
    public var status: OrderStatus

    public init(stamp: EventStamp, status: OrderStatus) {
        self.stamp = stamp
        self.status = status
    }
}

/// The current state of an order: its latest event, and the day it became paid if it is paid.
public struct OrderState: Sendable, Hashable {
    public var latest: EventStamp
    public var userID: String
    public var status: OrderStatus
    public var amount: DecimalNumber
    public var currency: String
    public var product: String?
    public var offer: String?
    public var managerID: String?
    /// The latest event's tags as given (SPEC §4.9 counts the distinct ones).
    public var tags: [String]?
    /// The attribution of the latest event's own UTM tags when they name a source, campaign or
    /// content (SPEC §3); nil leaves the deal attribution to the order's entry registration.
    public var dealAttribution: Attribution?
    public var createdAt: Instant
    public var createdDay: LocalDate
    public var paidDay: LocalDate?

    public init(latest: EventStamp, userID: String, status: OrderStatus, amount: DecimalNumber, currency: String,
                product: String?, offer: String? = nil, managerID: String?, tags: [String]? = nil,
                dealAttribution: Attribution? = nil, createdAt: Instant, createdDay: LocalDate, paidDay: LocalDate?) {
        self.latest = latest
        self.userID = userID
        self.status = status
        self.amount = amount
        self.currency = currency
        self.product = product
        self.offer = offer
        self.managerID = managerID
        self.tags = tags
        self.dealAttribution = dealAttribution
        self.createdAt = createdAt
        self.createdDay = createdDay
        self.paidDay = paidDay
    }

    /// What the order adds to its user's ledger: one order on its creation day, and one paid
    /// order on the day it became paid while it is paid.
    func ledger(project: String) -> [(UserDayKey, LedgerMeasures)] {
        let user = UserKey(project: project, userID: userID)
        var result = [(UserDayKey(user: user, day: createdDay), LedgerMeasures(orders: 1))]
        if let paidDay { result.append((UserDayKey(user: user, day: paidDay), LedgerMeasures(paidOrders: 1))) }
        return result
    }
}

/// One event of a payment, with its amount already in the project's base currency.
public struct PaymentFact: Sendable, Hashable {
    public var stamp: EventStamp
    public var status: PaymentStatus
    public var userID: String
    public var orderID: String
    public var amount: DecimalNumber
    public var day: LocalDate

    public init(stamp: EventStamp, status: PaymentStatus, userID: String, orderID: String,
                amount: DecimalNumber, day: LocalDate) {
        self.stamp = stamp
        self.status = status
        self.userID = userID
        self.orderID = orderID
        self.amount = amount
        self.day = day
    }
}

/// A payment: its first accepted event (revenue) and its latest event (a refund when refunded).
public struct PaymentState: Sendable, Hashable {
    public var firstAccepted: PaymentFact?
    public var latest: PaymentFact

    public init(firstAccepted: PaymentFact?, latest: PaymentFact) {
        self.firstAccepted = firstAccepted
        self.latest = latest
    }

    /// Folds in one more event of the payment; the result does not depend on the order events come in.
    ///
    /// SPEC §4.8 sends every tie on `occurred_at` of payments to the larger id (only the first
    /// registration goes to the smaller), so of two accepted events at one instant the one with
    /// the larger id is "the earliest accepted".
    mutating func absorb(_ fact: PaymentFact) {
        if fact.status == .accepted, firstAccepted.map({ Self.isEarlierAccepted(fact.stamp, than: $0.stamp) }) ?? true {
            firstAccepted = fact
        }
        if latest.stamp < fact.stamp { latest = fact }
    }

    init(_ fact: PaymentFact) {
        self.init(firstAccepted: fact.status == .accepted ? fact : nil, latest: fact)
    }

    static func isEarlierAccepted(_ candidate: EventStamp, than current: EventStamp) -> Bool {
        candidate.at == current.at ? codePointLess(current.id, candidate.id) : candidate.at < current.at
    }

    /// What the payment adds to ledgers: revenue for the first accepted event's user and day,
    /// a refund for the latest event's user and day when that event is a refund.
    func ledger(project: String) -> [(UserDayKey, LedgerMeasures)] {
        var result: [(UserDayKey, LedgerMeasures)] = []
        if let accepted = firstAccepted {
            result.append((UserDayKey(user: UserKey(project: project, userID: accepted.userID), day: accepted.day),
                           LedgerMeasures(payments: 1, revenue: accepted.amount)))
        }
        if latest.status == .refunded {
            result.append((UserDayKey(user: UserKey(project: project, userID: latest.userID), day: latest.day),
                           LedgerMeasures(refunds: latest.amount)))
        }
        return result
    }
}

/// The latest poll of one ad's day, spend in the base currency.
public struct AdStatsState: Sendable, Hashable {
    public var stamp: EventStamp
    public var impressions: Int64
    public var clicks: Int64
    public var spend: DecimalNumber

    public init(stamp: EventStamp, impressions: Int64, clicks: Int64, spend: DecimalNumber) {
        self.stamp = stamp
        self.impressions = impressions
        self.clicks = clicks
        self.spend = spend
    }

    var measures: FunnelMeasures {
        var measures = FunnelMeasures()
        measures.impressions = impressions
        measures.adClicks = clicks
        measures.spend = spend
        return measures
    }
}
