import Events

/// The stored state one batch needs, fetched in bulk before the batch is computed.
public struct BatchState: Sendable {
    /// Every user whose figures the batch may change (`BatchRequirements.users(with:)`), locked;
    /// a user absent here has no row yet. Users only named by mail and chat events are not here.
    public var users: [UserKey: UserState] = [:]
    /// The ledger rows of users whose first registration the batch may change
    /// (`BatchRequirements.ledgerUsers(with:)`): their attribution may move.
    public var ledgers: [UserKey: [LocalDate: LedgerMeasures]] = [:]
    public var orders: [EntityKey: OrderState] = [:]
    /// Every stored status event of the orders in `orders`.
    public var orderEvents: [EntityKey: [OrderStatusEvent]] = [:]
    public var payments: [EntityKey: PaymentState] = [:]
    public var adStats: [AdStatsKey: AdStatsState] = [:]

    public init() {}
}

/// How many events of each type a batch has, to size the batch's tables up front: a table grown
/// from empty re-hashes every key at each doubling, and its large steps each took fresh pages.
public struct EventTypeCounts: Sendable, Equatable {
    public var clicks = 0, registrations = 0, orders = 0, payments = 0, mails = 0, chats = 0
    public var adStats = 0, identities = 0, learning = 0

    public init(_ events: [Event]) {
        for event in events {
            switch event.data {
            case .click: clicks += 1
            case .registration: registrations += 1
            case .order: orders += 1
            case .payment: payments += 1
            case .mail: mails += 1
            case .chat: chats += 1
            case .adStats: adStats += 1
            case .identity: identities += 1
            case .learning: learning += 1
            }
        }
    }

    /// Events naming a user whose figures they change (registrations, orders and payments).
    public var userEvents: Int { registrations + orders + payments }
}

/// The keys whose stored state a batch of events needs.
public struct BatchRequirements: Sendable, Equatable {
    public var orders: Set<EntityKey> = []
    public var payments: Set<EntityKey> = []
    public var adStats: Set<AdStatsKey> = []
    /// Users whose figures the events change (registrations, orders, payments); `users(with:)` adds
    /// those of stored orders and payments. Chat, mail, identity and learning events change nothing
    /// that needs reading first: the views resolve aliases and read learning where BI reads.
    public var eventUsers: Set<UserKey> = []
    /// The earliest registration of each user registering in the batch.
    public var earliestRegistrations: [UserKey: EventStamp] = [:]

    public init(_ events: [Event]) {
        let counts = EventTypeCounts(events)
        orders.reserveCapacity(counts.orders)
        payments.reserveCapacity(counts.payments)
        adStats.reserveCapacity(counts.adStats)
        eventUsers.reserveCapacity(counts.userEvents)
        earliestRegistrations.reserveCapacity(counts.registrations)
        for event in events {
            let project = event.project
            switch event.data {
            case .click: break
            case .registration(let registration):
                let user = UserKey(project: project, userID: registration.userID)
                eventUsers.insert(user)
                let stamp = EventStamp(at: event.occurredAt, id: event.id)
                if earliestRegistrations[user].map({ stamp < $0 }) ?? true { earliestRegistrations[user] = stamp }
            case .order(let order):
                orders.insert(EntityKey(project: project, id: order.orderID))
                eventUsers.insert(UserKey(project: project, userID: order.userID))
            case .payment(let payment):
                payments.insert(EntityKey(project: project, id: payment.paymentID))
                eventUsers.insert(UserKey(project: project, userID: payment.userID))
            case .mail, .chat, .identity, .learning:
                break
            case .adStats(let stats):
                adStats.insert(AdStatsKey(project: project, network: stats.network, accountID: stats.accountID,
                                          campaignID: stats.campaignID, adID: stats.adID, day: stats.day))
            }
        }
    }

    /// The event users plus the current users of the stored orders and payments, whose
    /// contributions may move to another user.
    public func users(with state: BatchState) -> Set<UserKey> {
        var users = eventUsers
        users.reserveCapacity(eventUsers.count + state.orders.count + 2 * state.payments.count)
        for (key, order) in state.orders { users.insert(UserKey(project: key.project, userID: order.userID)) }
        for (key, payment) in state.payments {
            if let accepted = payment.firstAccepted { users.insert(UserKey(project: key.project, userID: accepted.userID)) }
            users.insert(UserKey(project: key.project, userID: payment.latest.userID))
        }
        return users
    }

    /// The registering users whose first registration can change: stored without one, or with a
    /// later one. Only they can move their ledger, and a user with no row has no ledger yet.
    public func ledgerUsers(with state: BatchState) -> Set<UserKey> {
        var users: Set<UserKey> = []
        for (user, earliest) in earliestRegistrations {
            guard let stored = state.users[user] else { continue }
            if stored.firstRegistration.map({ earliest < $0.stamp }) ?? true { users.insert(user) }
        }
        return users
    }
}
