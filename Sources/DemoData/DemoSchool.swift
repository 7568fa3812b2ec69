import Events
import Foundation
import SeededRandom

/// A demo school's month, generated from a seed: ads and their spend, visits, registrations,
/// orders and payments, mailings and community chats, courses, webinars and linked Telegram members,
/// in the SPEC §2 envelopes the worker consumes.
///
/// The data is built user by user (a visit leads to a registration, which may lead to an order,
/// a payment, a chat message, a click in a letter and a payment after it), so the views have
/// coherent stories to tell, and then written in the order a real pipeline would see it: by
/// `occurred_at`, with retried webhooks and some first registrations arriving after everything else.
/// Four ads have scripted last two weeks, so that the burnout view shows each of its statuses
/// (see `DemoSchool+CreativeStories.swift`); the learning and Telegram stories are scripted too (see
/// `DemoSchool+Learning.swift`, `DemoSchool+Identity.swift`). The stories live in one file each: ads and
/// spend, registrations and funnels, orders and payments, mail, chats, learning, identity, rates.
package struct DemoSchool {
    /// What to generate.
    package struct Settings: Sendable {
        package var project: String
        /// The days generated; nothing but the last ad poll of the last day happens after its end.
        package var period: DemoPeriod
        package var seed: UInt64
        /// Multiplies the traffic, hence every count that follows from it; the ads and their scripted
        /// last two weeks stay the same.
        package var scale: Double
        package var timeZone: TimeZone
        /// Share of events written twice, as a webhook retried after a lost answer.
        package var duplicateShare: Double
        /// Share of ad-attributed users with an order whose first registration reaches the pipeline last.
        package var lateRegistrationShare: Double

        /// - Parameter period: default the month-long stretch ending yesterday in `timeZone`.
        package init(project: String = "demo-school", period: DemoPeriod? = nil, seed: UInt64 = 42, scale: Double = 1,
                     timeZone: TimeZone = .projectDefault, duplicateShare: Double = 0.03, lateRegistrationShare: Double = 0.1) {
            self.project = project
            self.period = period ?? .endingYesterday(in: timeZone)
            self.seed = seed
            self.scale = scale
            self.timeZone = timeZone
            self.duplicateShare = duplicateShare
            self.lateRegistrationShare = lateRegistrationShare
        }
    }

    /// A registered user and what the generator decided about them.
    struct User {
        let id: String
        let registeredAt: Int
        /// Index in `ads` of the ad of the user's first registration (their first touch), nil for organic users.
        let ad: Int?
        let utm: UTM
        let funnel: String
        let visitorID: String?
        let telegramSubscriber: Bool
        var chatActive = false
        var paidCourse = false
        var orders = 0
        var firstRegistrationEvent = 0
    }

    /// An event waiting for its place in the file.
    struct Pending {
        let at: Int
        let sequence: Int
        var late: Bool
        let event: Event
    }

    /// A chat event before its message id is known (ids are given in time order per chat).
    struct ChatAction {
        let chat: String
        let at: Int
        let user: String
        let kind: ChatKind
    }

    package let settings: Settings
    /// The number of days of the period.
    package let days: Int
    var random: SeededGenerator
    var pending: [Pending] = []
    var chatActions: [ChatAction] = []
    var users: [User] = []
    var counters = (visitor: 0, user: 0, order: 0, payment: 0, refund: 0)

    package init(settings: Settings) {
        self.settings = settings
        days = settings.period.days
        random = SeededGenerator(seed: settings.seed)
    }

    /// Seconds from the period's first local midnight to its end: nothing but ad polls happens after it.
    var periodEnd: Int { days * 86_400 }
    /// The index of the period's last day, the day the burnout windows are reckoned back from.
    var lastDay: Int { days - 1 }

    /// The month's events in file order, duplicates included, each valid as `pipeline produce` checks it.
    package mutating func events() throws -> [Event] {
        generateTraffic()
        generateCreativeStories()
        for index in users.indices { generateUserLife(index) }
        generateMail()
        // The scripted learning and Telegram stories take no random draw, so the rest of the month is
        // the same with them; their chat actions must exist before the chats are numbered.
        let learners = registerLearners()
        generateLearning(learners)
        generateTelegramLinks(learners)
        generateChats()
        markLateRegistrations()

        let ordered = pending.sorted { ($0.late ? 1 : 0, $0.at, $0.sequence) < ($1.late ? 1 : 0, $1.at, $1.sequence) }
        var result: [Event] = []
        result.reserveCapacity(ordered.count + ordered.count / 20)
        // A retry lands a little later in the stream than the original, as a redelivered webhook does.
        var retries: [(due: Int, event: Event)] = []
        for (index, item) in ordered.enumerated() {
            try item.event.validate()
            result.append(item.event)
            if random.chance(settings.duplicateShare) {
                retries.append((index + random.int(1...40), item.event))
            }
            while let due = retries.firstIndex(where: { $0.due <= index }) {
                result.append(retries.remove(at: due).event)
            }
        }
        result.append(contentsOf: retries.map(\.event))
        return result
    }

    // MARK: - Helpers shared by the stories

    mutating func emit(id: String, source: String, at: Int, _ data: EventData) {
        let stamp = timestamp(at)
        pending.append(Pending(at: at, sequence: pending.count, late: false,
                               event: Event(id: id, project: settings.project, source: source, occurredAt: stamp.instant,
                                            occurredAtText: stamp.text, data: data)))
    }

    /// The instant `seconds` after the period's first local midnight, and its text with the local offset.
    func timestamp(_ seconds: Int) -> (instant: Instant, text: String) {
        let local = settings.period.firstDay.daysSinceEpoch * 86_400 + seconds
        let guess = settings.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        let offset = settings.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - guess)))
        let (days, second) = local.quotientAndRemainder(dividingBy: 86_400)
        let date = LocalDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let text = String(format: "%@T%02d:%02d:%02d%@%02d:%02d", date.description, second / 3_600, second / 60 % 60, second % 60,
                          sign, abs(offset) / 3_600, abs(offset) / 60 % 60)
        return (Instant(microsecondsSinceEpoch: Int64(local - offset) * 1_000_000), text)
    }

    /// A second of the day, mostly in waking hours, when people click ads and read mail.
    mutating func activeSecondOfDay() -> Int {
        random.chance(0.9) ? random.int(8 * 3_600...(24 * 3_600 - 1)) : random.int(0...(8 * 3_600 - 1))
    }
}
