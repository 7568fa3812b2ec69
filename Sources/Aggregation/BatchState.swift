import Events

/// The stored state one batch needs, fetched in bulk before the batch is computed.
public struct BatchState: Sendable {
    /// Every user the batch refers to (directly, or as the previous user of an order or payment);
    /// a user absent here has no row yet.
    public var users: [UserKey: UserState] = [:]
    /// The ledger rows of users with a registration in the batch, whose attribution may move.
    public var ledgers: [UserKey: [LocalDate: LedgerMeasures]] = [:]
    public var orders: [EntityKey: OrderState] = [:]
    /// Every stored status event of the orders in `orders`.
    public var orderEvents: [EntityKey: [OrderStatusEvent]] = [:]
    public var payments: [EntityKey: PaymentState] = [:]
    public var adStats: [AdStatsKey: AdStatsState] = [:]

    public init() {}
}

/// The keys whose stored state a batch of events needs.
public struct BatchRequirements: Sendable, Equatable {
    public var orders: Set<EntityKey> = []
    public var payments: Set<EntityKey> = []
    public var adStats: Set<AdStatsKey> = []
    /// Users the events name; `users(with:)` adds those of stored orders and payments.
    public var eventUsers: Set<UserKey> = []
    /// Users with a registration in the batch: their ledgers are needed.
    public var registeringUsers: Set<UserKey> = []

    public init(_ events: [Event]) {
        for event in events {
            let project = event.project
            switch event.data {
            case .click: break
            case .registration(let registration):
                let user = UserKey(project: project, userID: registration.userID)
                eventUsers.insert(user)
                registeringUsers.insert(user)
            case .order(let order):
                orders.insert(EntityKey(project: project, id: order.orderID))
                eventUsers.insert(UserKey(project: project, userID: order.userID))
            case .payment(let payment):
                payments.insert(EntityKey(project: project, id: payment.paymentID))
                eventUsers.insert(UserKey(project: project, userID: payment.userID))
            case .mail(let mail):
                eventUsers.insert(UserKey(project: project, userID: mail.userID))
            case .chat(let chat):
                eventUsers.insert(UserKey(project: project, userID: chat.userID))
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
        for (key, order) in state.orders { users.insert(UserKey(project: key.project, userID: order.userID)) }
        for (key, payment) in state.payments {
            if let accepted = payment.firstAccepted { users.insert(UserKey(project: key.project, userID: accepted.userID)) }
            users.insert(UserKey(project: key.project, userID: payment.latest.userID))
        }
        return users
    }
}
