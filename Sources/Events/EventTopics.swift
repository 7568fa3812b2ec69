/// Kafka topic names per event type (SPEC §2); configurable because deployments share clusters.
public struct EventTopics: Sendable, Hashable {
    /// Default `school.clicks`.
    public var clicks: String
    /// Default `school.registrations`.
    public var registrations: String
    /// Default `school.orders`; carries payments too, so they share the order's partition.
    public var orders: String
    /// Default `school.mails`.
    public var mails: String
    /// Default `school.chat`.
    public var chat: String
    /// Default `school.adstats`.
    public var adStats: String
    /// Default `school.learning`.
    public var learning: String
    /// Default `school.deadletter`: what a worker could not apply, with the reason in a header.
    public var deadLetter: String

    public init(
        clicks: String = "school.clicks",
        registrations: String = "school.registrations",
        orders: String = "school.orders",
        mails: String = "school.mails",
        chat: String = "school.chat",
        adStats: String = "school.adstats",
        learning: String = "school.learning",
        deadLetter: String = "school.deadletter"
    ) {
        self.clicks = clicks
        self.registrations = registrations
        self.orders = orders
        self.mails = mails
        self.chat = chat
        self.adStats = adStats
        self.learning = learning
        self.deadLetter = deadLetter
    }

    public static let `default` = EventTopics()

    public func topic(for type: EventType) -> String {
        switch type {
        case .click: clicks
        case .registration, .identity: registrations
        case .order, .payment: orders
        case .mail: mails
        case .chat: chat
        case .adStats: adStats
        case .learning: learning
        }
    }

    /// The topics workers consume, without the dead letter topic, each once.
    /// The event topics and the dead letter topic.
    public var all: [String] { eventTopics + (eventTopics.contains(deadLetter) ? [] : [deadLetter]) }

    public var eventTopics: [String] {
        var seen = Set<String>()
        return [clicks, registrations, orders, mails, chat, adStats, learning].filter { seen.insert($0).inserted }
    }
}
