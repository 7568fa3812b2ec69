import Events
import Verification

/// A scalable, reproducible stream of event envelopes for the benchmark: all nine types, many users
/// over several projects, retried webhooks (the same envelope twice) and no order across keys or
/// within one (every `occurred_at` is drawn at random over two months).
///
/// It writes JSON text directly, without building `Event` values, so that a million events are
/// ready in a second or two; `EventTopics.topic(for:)` and `Event.partitionKey` are followed by hand
/// and checked by the tests against the decoder.
public struct BenchEvents {
    /// What to generate.
    public struct Settings: Sendable {
        /// Envelopes written, retries included.
        public var count: Int
        /// Distinct users (and as many possible visitors, twice over).
        public var users: Int
        /// Seed of the generator.
        public var seed: UInt64 = 6
        /// Share of envelopes that repeat an earlier one, in percent.
        public var duplicatePercent: UInt64 = 3

        public init(count: Int, users: Int, seed: UInt64 = 6) {
            self.count = count
            self.users = users
            self.seed = seed
        }
    }

    /// One envelope as it goes to Kafka.
    public struct Envelope: Sendable {
        public var type: EventType
        public var key: String
        public var json: String
        /// Whether this is a retry of an earlier envelope (same id).
        public var isRepeat = false
    }

    /// The projects of the benchmark: all on the default zone and base currency (RUB).
    public static let projects = ["school-a", "school-b", "school-c"]

    /// Rough share of each type, in percent of the envelopes: what a school's month looks like.
    static let weights: [(EventType, Int)] = [
        (.click, 20), (.registration, 10), (.order, 14), (.payment, 8), (.mail, 25), (.chat, 10), (.adStats, 5),
        (.identity, 2), (.learning, 6),
    ]

    public let settings: Settings
    private var random: SeededGenerator
    private var produced = 0
    /// Recent envelopes, some of which are sent again (a webhook retried after a lost answer).
    private var recent: [Envelope] = []

    public init(settings: Settings) {
        precondition(settings.count >= 0 && settings.users > 0, "bench settings: count >= 0, users > 0")
        self.settings = settings
        random = SeededGenerator(seed: settings.seed)
        recent.reserveCapacity(1024)
    }

    /// The expected number of envelopes of each type (for sizing the topics' partitions).
    public static func expectedCount(of type: EventType, total: Int) -> Int {
        total * (weights.first { $0.0 == type }?.1 ?? 0) / 100
    }

    /// The next envelope, or nil after `settings.count`.
    public mutating func next() -> Envelope? {
        guard produced < settings.count else { return nil }
        produced += 1
        if !recent.isEmpty, below(100) < settings.duplicatePercent {
            var repeated = recent[Int(below(UInt64(recent.count)))]
            repeated.isRepeat = true
            return repeated
        }
        let envelope = fresh(index: produced)
        if recent.count < 1024 { recent.append(envelope) } else { recent[Int(below(1024))] = envelope }
        return envelope
    }

    private mutating func below(_ bound: UInt64) -> UInt64 { random.next() % bound }
    /// A platform user, or a fifth of the time a Telegram id (`tg:`) that identity events may link.
    private mutating func contact(_ users: UInt64) -> String { below(5) == 0 ? "tg:\(below(users))" : "u\(below(users))" }
    private mutating func pick(_ values: [String]) -> String { values[Int(below(UInt64(values.count)))] }

    /// An instant in October–November 2026, to the second, in UTC or Moscow time.
    private mutating func instant() -> String {
        let day = Int(below(61))
        let month = day < 31 ? 10 : 11
        let dayOfMonth = day < 31 ? day + 1 : day - 30
        let hour = Int(below(24)), minute = Int(below(60)), second = Int(below(60))
        let zone = below(4) == 0 ? "+03:00" : "Z"
        return "2026-\(two(month))-\(two(dayOfMonth))T\(two(hour)):\(two(minute)):\(two(second))\(zone)"
    }

    private mutating func utm() -> String {
        switch below(10) {
        case 0..<4: return #"{"source":"yandex","campaign":"c\#(below(5))","content":"ad\#(below(20))"}"#
        case 4..<7: return #"{"source":"vk","campaign":"vk\#(below(4))","content":"vk-ad\#(below(12))"}"#
        case 7: return #"{"source":"newsletter","campaign":"oct"}"#
        case 8: return #"{"source":""}"#
        default: return "{}"
        }
    }

    private mutating func fresh(index: Int) -> Envelope {
        let project = Self.projects[Int(below(UInt64(Self.projects.count)))]
        let id = "bench-\(settings.seed)-\(index)"
        var roll = Int(below(100))
        var type = EventType.click
        for (candidate, weight) in Self.weights {
            if roll < weight { type = candidate; break }
            roll -= weight
        }
        let users = UInt64(settings.users)
        let orders = max(1, users / 3)
        let key: String
        let body: String
        switch type {
        case .click:
            let visitor = "v\(below(users * 2))"
            key = "\(project):\(visitor)"
            body = #"{"visitor_id":"\#(visitor)","url":"https://school.example/landing","utm":\#(utm())}"#
        case .registration:
            let user = "u\(below(users))"
            key = "\(project):\(user)"
            body = #"{"user_id":"\#(user)","utm":\#(utm())}"#
        case .order:
            let order = below(orders)
            let manager = order % 4 == 0 ? "" : #","manager_id":"m\#(order % 7)""#
            key = "\(project):o\(order)"
            body = #"{"order_id":"o\#(order)","user_id":"u\#(order * 3 % users)","status":"\#(pick(["new", "in_work", "paid", "paid", "part_paid", "cancelled"]))","amount":"\#((order % 5 + 1) * 990).00","currency":"RUB"\#(manager),"created_at":"2026-10-\#(two(Int(order % 28) + 1))T12:00:00Z"}"#
        case .payment:
            let order = below(orders)
            key = "\(project):o\(order)"
            let status = below(10) == 0 ? "refunded" : "accepted"
            body = #"{"payment_id":"p\#(order)","order_id":"o\#(order)","user_id":"u\#(order * 3 % users)","amount":"\#((order % 5 + 1) * 990).00","currency":"RUB","status":"\#(status)"}"#
        case .mail:
            let user = contact(users)
            key = "\(project):\(user)"
            body = #"{"letter_id":"L\#(below(20))","channel":"\#(pick(["email", "email", "telegram"]))","user_id":"\#(user)","event":"\#(pick(["sent", "delivered", "delivered", "opened", "clicked", "unsubscribed", "bounced", "spam"]))"}"#
        case .chat:
            // Enough chats that their keys spread over the topic's partitions (the mock drops data
            // beyond ~5 MiB per partition, and a key stays in one).
            let chat = "ch\(below(UInt64(max(5, settings.count / 5_000))))"
            key = "\(project):\(chat)"
            body = #"{"chat_id":"\#(chat)","message_id":"\#(index)","user_id":"\#(contact(users))","kind":"\#(pick(["message", "message", "message", "join", "leave"]))"}"#
        case .identity:
            // The bot links a Telegram id to a platform user (SPEC §4.12); a tenth of the Telegram
            // ids are linked twice, to check the earliest link wins at this volume too.
            let telegram = below(users)
            let user = below(10) == 0 ? "u\(below(users))" : "u\(telegram)"
            key = "\(project):\(user)"
            body = #"{"user_id":"\#(user)","alias":"tg:\#(telegram)"}"#
        case .learning:
            let user = "u\(below(users))"
            key = "\(project):\(user)"
            let kind = pick(["lesson_opened", "lesson_opened", "lesson_completed", "homework_submitted", "homework_accepted",
                             "webinar_attended"])
            let course = kind == "webinar_attended" ? "w\(below(6))" : "course\(below(4))"
            let lesson = kind == "webinar_attended" ? "null" : "\"\(below(12) + 1)\""
            body = #"{"user_id":"\#(user)","course_id":"\#(course)","lesson_id":\#(lesson),"kind":"\#(kind)"}"#
        case .adStats:
            let network = below(2) == 0 ? "yandex_direct" : "vk_ads"
            let ad = "ad\(below(20))"
            let day = "2026-\(below(2) == 0 ? "10" : "11")-\(two(Int(below(28)) + 1))"
            key = "\(project):\(network):\(ad):\(day)"
            body = #"{"network":"\#(network)","account_id":"acc1","campaign_id":"c\#(below(5))","ad_id":"\#(ad)","day":"\#(day)","impressions":\#(below(5000)),"clicks":\#(below(200)),"cost":"\#(below(9000)).\#(two(Int(below(100))))","currency":"RUB"}"#
        }
        let json = #"{"id":"\#(id)","type":"\#(type.rawValue)","project":"\#(project)","source":"bench","occurred_at":"\#(instant())","data":\#(body)}"#
        return Envelope(type: type, key: key, json: json)
    }
}

private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

