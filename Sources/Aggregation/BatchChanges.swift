import Events

/// Everything one batch changes: new entity states to store and increments to add.
public struct BatchChanges: Sendable {
    /// Events that could not be applied (index into the batch → reason); their ids stay unapplied.
    public var rejected: [Int: String] = [:]
    /// Users named by applied registration, order and payment events: each gets a row if it has none.
    public var usersSeen: Set<UserKey> = []
    /// Users whose first registration changed (all of them among the loaded, locked users).
    public var users: [UserKey: UserState] = [:]
    /// Ids named by applied chat and mail events (`contacts`): each gets a row if it has none. They
    /// are kept apart from `usersSeen` because a linked alias is a user of its own only through
    /// registration, order and payment events (SPEC §4.12); the views resolve them.
    public var contacts: Set<UserKey> = []
    /// Ids that wrote a message in a chat: their `chat_active` becomes true, whatever it was.
    public var chatActiveContacts: Set<UserKey> = []
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

    public var chatDaily: [ChatDayKey: ChatCounts] = [:]
    public var chatMembers: Set<ChatMemberKey> = []

    /// Every applied registration, kept with its own attribution and funnel (SPEC §3's entry).
    public var registrations: [RegistrationRecord] = []
    /// The batch's latest non-empty names of each ad seen in ad_stats (every such ad has a row).
    public var adNames: [AdKey: AdNames] = [:]
    /// Every manager named by an order event, and the batch's latest non-empty name for them.
    public var managerNames: [ManagerKey: LatestName?] = [:]

    /// The batch's earliest link of each alias (merged with the stored one by the writer).
    public var aliasLinks: [UserKey: AliasLink] = [:]
    /// The batch's first learning event of each user, lesson and kind (merged likewise).
    public var learningFirsts: [LearningKey: FirstLearning] = [:]
    /// Months of chat messages, mail opens and clicks, and learning events (SPEC §4.14's activity).
    public var activityMonths: Set<ActivityMonthKey> = []

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
