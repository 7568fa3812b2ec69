import Events

/// One hand-built event per type, for tests of keys, topics and encoding.
enum EventFixtures {
    static let occurredAt = Instant(rfc3339: "2026-01-15T09:03:42+03:00")!

    static func event(_ data: EventData, id: String = "e-1") -> Event {
        Event(id: id, project: "school1", source: "test", occurredAt: occurredAt, data: data)
    }

    static let click = event(.click(Click(visitorID: "v-1", url: "https://s.example/", utm: UTM(source: "yandex", campaign: "c1", content: "a1"), clickIDs: ["yclid": "9", "gclid": "8"])))
    static let registration = event(.registration(Registration(userID: "u-1", visitorID: "v-1", funnel: "webinar", utm: UTM(source: "vk"), emailSHA256: "ab")))
    static let order = event(.order(Order(orderID: "o-1", userID: "u-1", status: .partPaid, amount: DecimalNumber("14900.00")!, currency: "RUB", product: "Course", managerID: "m-1", createdAt: Instant(rfc3339: "2026-01-15T09:00:00.25+03:00")!)))
    static let payment = event(.payment(Payment(paymentID: "p-1", orderID: "o-1", userID: "u-1", amount: DecimalNumber("0.5")!, currency: "USD", status: .refunded)))
    static let mail = event(.mail(Mail(letterID: "l-1", channel: "telegram", userID: "u-1", event: .clicked)))
    static let chat = event(.chat(Chat(chatID: "c-1", messageID: "m-1", userID: "u-1", kind: .join)))
    static let adStats = event(.adStats(AdStats(network: "vk_ads", accountID: "acc", campaignID: "c1", adID: "a1", day: LocalDate("2026-01-14")!, impressions: 100, clicks: 3, cost: DecimalNumber("12.5")!, currency: "RUB")))

    /// An order and a poll with every optional field of SPEC §2's business dimensions.
    static let orderWithDimensions = event(.order(Order(
        orderID: "o-2", userID: "u-1", status: .paid, amount: DecimalNumber("29900")!, currency: "RUB", product: "Course",
        offer: "VIP", managerID: "m-1", managerName: "Анна", tags: ["launch:2026-01", "flow:3", "launch:2026-01"],
        utm: UTM(source: "vk", campaign: "c9", content: "a9"), createdAt: Instant(rfc3339: "2026-01-15T09:00:00+03:00")!)), id: "e-2")
    static let adStatsWithNames = event(.adStats(AdStats(
        network: "yandex_direct", accountID: "acc", campaignID: "c1", adID: "a1", day: LocalDate("2026-01-14")!,
        impressions: 100, clicks: 3, cost: DecimalNumber("12.5")!, currency: "RUB", campaignName: "Поиск",
        adGroupID: "g1", adGroupName: "Ключи", adName: "")), id: "e-3")

    static let identity = event(.identity(Identity(userID: "u-1", alias: "tg:987654321")))
    static let learning = event(.learning(Learning(userID: "u-1", courseID: "course-1", lessonID: "l-3", kind: .homeworkSubmitted)))
    static let learningWithoutLesson = event(.learning(Learning(userID: "u-1", courseID: "webinar-7", kind: .webinarAttended)))
    static let all = [click, registration, order, payment, mail, chat, adStats, identity, learning, orderWithDimensions, adStatsWithNames, learningWithoutLesson]
}
