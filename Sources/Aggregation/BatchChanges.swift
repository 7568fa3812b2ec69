import Events

/// Everything one batch changes: new entity states to store and increments to add.
public struct BatchChanges: Sendable {
    /// Events that could not be applied (index into the batch → reason); their ids stay unapplied.
    public var rejected: [Int: String] = [:]
    /// Users named by applied events: each gets a row if it has none.
    public var usersSeen: Set<UserKey> = []
    /// Users whose first registration changed (all of them among the loaded, locked users).
    public var users: [UserKey: UserState] = [:]
    /// Users who wrote a message in a chat: their `chat_active` becomes true, whatever it was.
    public var chatActiveUsers: Set<UserKey> = []
    public var orders: [EntityKey: OrderState] = [:]
    public var newOrderEvents: [EntityKey: [OrderStatusEvent]] = [:]
    public var payments: [EntityKey: PaymentState] = [:]
    public var adStats: [AdStatsKey: AdStatsState] = [:]

    public var userDaily: [UserDayKey: LedgerMeasures] = [:]
    public var userMonthly: [UserMonthKey: MonthMoney] = [:]
    public var funnel: [FunnelKey: FunnelMeasures] = [:]
    public var newUsers: [ProjectDayKey: Int64] = [:]
    /// The latest local day of an applied event, per project.
    public var lastDays: [String: LocalDate] = [:]

    public var mailDaily: [LetterDayKey: MailCounts] = [:]
    /// The earliest open and click of the batch per letter and user (merged with the stored ones by the writer).
    public var firstOpens: [RecipientKey: FirstTouch] = [:]
    public var firstClicks: [RecipientKey: FirstTouch] = [:]
    public var mailClicks: [MailClick] = []
    /// Users whose payments' letter credit must be recomputed (new clicks or new first acceptances).
    public var creditUsers: Set<UserKey> = []

    public var chatDaily: [ChatDayKey: ChatCounts] = [:]
    public var chatMembers: Set<ChatMemberKey> = []

    /// Every applied registration, kept with its own attribution and funnel (SPEC §3's entry).
    public var registrations: [RegistrationRecord] = []
    /// The batch's latest non-empty names of each ad seen in ad_stats (every such ad has a row).
    public var adNames: [AdKey: AdNames] = [:]
    /// Every manager named by an order event, and the batch's latest non-empty name for them.
    public var managerNames: [ManagerKey: LatestName?] = [:]

    public init() {}
}

/// One click on a letter, kept to credit later payments.
public struct MailClick: Sendable, Hashable {
    public var user: UserKey
    public var stamp: EventStamp
    public var channel: String
    public var letterID: String
}

/// The earliest open or click of a letter by a user, and its local day.
public struct FirstTouch: Sendable, Hashable {
    public var at: Instant
    public var day: LocalDate

    /// The earlier of two touches.
    func earliest(_ other: FirstTouch?) -> FirstTouch {
        guard let other, other.at < at else { return self }
        return other
    }
}
