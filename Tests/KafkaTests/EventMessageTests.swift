import Events
import Kafka
import Testing

@Suite("an event's Kafka message: one mapping for every producer")
struct EventMessageTests {
    static let stats = Event(
        id: "vk_ads:acc:c1:a1:2026-01-14:100:3:12.5RUB", project: "school1", source: "vk_ads", occurredAt: Instant(rfc3339: "2026-01-15T06:03:42Z")!,
        data: .adStats(AdStats(network: "vk_ads", accountID: "acc", campaignID: "c1", adID: "a1", day: LocalDate("2026-01-14")!,
                               impressions: 100, clicks: 3, cost: DecimalNumber("12.5")!, currency: "RUB")))
    static let payment = Event(
        id: "p-1", project: "school1", source: "getcourse", occurredAt: Instant(rfc3339: "2026-01-15T06:03:42Z")!,
        data: .payment(Payment(paymentID: "p-1", orderID: "o-1", userID: "u-1", amount: DecimalNumber("0.5")!, currency: "USD", status: .refunded)))

    @Test("topic of the type (configured names too), partition key, the envelope's JSON, no headers")
    func mapping() throws {
        let topics = EventTopics(orders: "demo.orders")
        for event in [Self.stats, Self.payment] {
            let message = KafkaOutgoingMessage(event: event, topics: topics)
            #expect(message.topic == topics.topic(for: event.type))
            #expect(message.key == Array(event.partitionKey.utf8))
            #expect(try Event.decode(json: message.value) == event)
            #expect(message.headers.isEmpty && message.partition == nil)
        }
        #expect(KafkaOutgoingMessage(event: Self.payment, topics: topics).topic == "demo.orders")
        #expect(KafkaOutgoingMessage(event: Self.stats, topics: topics).key == Array("school1:vk_ads:a1:2026-01-14".utf8))
        // An envelope written as text elsewhere (the benchmark) goes where the same event would.
        let json = Self.payment.encodeJSON()
        let written = KafkaOutgoingMessage(EventRecord(type: .payment, key: Self.payment.partitionKey, json: json, topics: topics))
        let built = KafkaOutgoingMessage(event: Self.payment, topics: topics)
        #expect(written.topic == built.topic)
        #expect(written.key == built.key)
        #expect(written.value == built.value)
    }
}
