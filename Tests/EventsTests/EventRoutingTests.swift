import Testing
import Events

@Suite struct EventRoutingTests {
    @Test func partitionKeys() {
        #expect(EventFixtures.click.partitionKey == "school1:v-1")
        #expect(EventFixtures.registration.partitionKey == "school1:u-1")
        #expect(EventFixtures.order.partitionKey == "school1:o-1")
        #expect(EventFixtures.payment.partitionKey == "school1:o-1")
        #expect(EventFixtures.mail.partitionKey == "school1:u-1")
        #expect(EventFixtures.chat.partitionKey == "school1:c-1")
        #expect(EventFixtures.adStats.partitionKey == "school1:vk_ads:a1:2026-01-14")
        #expect(EventFixtures.identity.partitionKey == "school1:u-1")  // beside the user's registrations
        #expect(EventFixtures.learning.partitionKey == "school1:u-1")
    }

    @Test func defaultTopics() {
        let topics = EventTopics()
        #expect(EventType.allCases.map(topics.topic(for:)) == [
            "school.clicks", "school.registrations", "school.orders", "school.orders", "school.mails", "school.chat", "school.adstats",
            "school.registrations", "school.learning",
        ])
        #expect(topics.deadLetter == "school.deadletter")
        #expect(topics.eventTopics == ["school.clicks", "school.registrations", "school.orders", "school.mails", "school.chat", "school.adstats", "school.learning"])
        #expect(EventTopics.default == topics)
    }

    @Test func configuredTopics() {
        let topics = EventTopics(orders: "demo.orders", deadLetter: "demo.dlq")
        #expect(topics.topic(for: .payment) == "demo.orders")
        #expect(topics.topic(for: .click) == "school.clicks")
        #expect(topics.deadLetter == "demo.dlq")
    }

    @Test func typeNames() {
        #expect(EventType.allCases.map(\.rawValue) == ["click", "registration", "order", "payment", "mail", "chat", "ad_stats", "identity", "learning"])
        #expect(EventFixtures.all.prefix(EventType.allCases.count).map(\.type) == EventType.allCases)
    }
}
