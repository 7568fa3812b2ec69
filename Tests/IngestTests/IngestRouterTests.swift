import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Kafka
import Testing

@Suite struct IngestRouterTests {
    static let orderQuery = "order_id=871035642&status=payed&cost_money_value=14900&currency=RUB&email=a%40b.ru&user_id=512478330&created_at=2026-01-15+09%3A00%3A00&payed_at=2026-01-15+09%3A03%3A42"
    static let orderURI = "/gc/school/order?secret=\(IngestHarness.secret)&\(orderQuery)"

    @Test func getCourseOrderIsDurablyInTheOrdersTopicBeforeTheAnswer() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: Self.orderURI, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "{\"accepted\":1}")
            }
        }
        let messages = try await harness.messages(in: "school.orders", atLeast: 1)
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == "school:871035642")
        let event = try Event.decode(json: message.value)
        #expect(event.type == .order)
        #expect(event.project == "school")
        #expect(event.source == "getcourse")
        let json = String(decoding: message.value, as: UTF8.self)
        #expect(!json.contains(IngestHarness.secret), "the secret never goes into events")
        #expect(!json.contains("a@b.ru"))
    }

    @Test func aRetriedCallbackProducesTheSameEventID() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            for _ in 0..<2 {
                try await client.execute(uri: Self.orderURI, method: .post) { #expect($0.status == .ok) }
            }
        }
        let messages = try await harness.messages(in: "school.orders", atLeast: 2)
        #expect(messages.count == 2)
        let ids = try messages.map { try Event.decode(json: $0.value).id }
        #expect(Set(ids).count == 1)
    }

    @Test func aBadAmountIs400NamingTheFieldAndProducesNothing() async throws {
        let harness = try IngestHarness()
        let uri = Self.orderURI.replacingOccurrences(of: "cost_money_value=14900", with: "cost_money_value=abc")
        try await harness.test { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains("cost_money_value"))
                #expect(response.headers[.contentType] == "application/json")
            }
        }
        #expect(try await harness.messages(in: "school.orders").isEmpty)
    }

    @Test func aWrongSecretIs403AndProducesNothing() async throws {
        let harness = try IngestHarness()
        let uri = "/gc/school/order?secret=guess&\(Self.orderQuery)"
        try await harness.test { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .forbidden)
                #expect(!response.text.contains("guess") && !response.text.contains(IngestHarness.secret))
            }
            try await client.execute(uri: "/gc/other/order?secret=x&\(Self.orderQuery)", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("unknown project"))
            }
        }
        #expect(try await harness.messages(in: "school.orders").isEmpty)
    }

    @Test func telegramWithAWrongSecretTokenIs403() async throws {
        let harness = try IngestHarness()
        let update = #"{"update_id":1,"message":{"message_id":5,"date":1768459200,"chat":{"id":-100,"type":"supergroup"},"from":{"id":42,"is_bot":false},"text":"hi"}}"#
        try await harness.test { client in
            let name = "X-Telegram-Bot-Api-Secret-Token"
            try await client.execute(uri: "/telegram/school", method: .post, headers: .header(name, "wrong"), body: ByteBuffer(string: update)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/telegram/school", method: .post, headers: .header(name, IngestHarness.telegramSecret), body: ByteBuffer(string: update)) {
                #expect($0.status == .ok)
                #expect($0.text == "{\"accepted\":1}")
            }
        }
    }

    @Test func aClickRedirectsToTheTargetAndSetsTheVisitorCookie() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru%2Fwebinar&utm_source=yandex", method: .get) { response in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "https://school.ru/webinar")
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("vid="))
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=31536000"))
            }
            try await client.execute(
                uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru%2F", method: .get, headers: [.cookie: "vid=known-visitor"]
            ) { response in
                #expect(response.status == .found)
                #expect(response.headers[.setCookie]?.hasPrefix("vid=known-visitor;") == true)
            }
        }
        let messages = try await harness.messages(in: "school.clicks", atLeast: 2)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.key.map { String(decoding: $0, as: UTF8.self) } == "school:known-visitor" })
    }

    @Test func aDisallowedTargetIs400WithoutARedirect() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/c/school/spring?url=https%3A%2F%2Fevil.com%2F", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
                #expect(response.text.contains("url"))
            }
        }
        #expect(try await harness.messages(in: "school.clicks").isEmpty)
    }

    @Test func kafkaDownIs503AndNothingAcknowledgedIsLost() async throws {
        let harness = try IngestHarness(deliveryTimeoutMilliseconds: 1500)
        @Sendable func order(_ id: Int) -> String {
            Self.orderURI.replacingOccurrences(of: "order_id=871035642", with: "order_id=\(id)")
        }
        var acknowledged: [Int] = []
        try await harness.test { client in
            try await client.execute(uri: order(1), method: .get) { #expect($0.status == .ok) }
        }
        acknowledged.append(1)
        try harness.cluster.setBrokerDown(1)
        try await harness.test { client in
            try await client.execute(uri: order(2), method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
                #expect(response.text == "{\"error\":\"kafka unavailable, retry\"}")
            }
        }
        try harness.cluster.setBrokerUp(1)
        let third = try await harness.test { client in
            // The producer reconnects with backoff; a sender would retry on 503 as well.
            for _ in 0..<10 {
                let status = try await client.execute(uri: order(3), method: .get) { $0.status }
                if status == .ok { return true }
            }
            return false
        }
        if third { acknowledged.append(3) }
        #expect(third)
        let messages = try await harness.messages(in: "school.orders", atLeast: acknowledged.count)
        let keys = Set(messages.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } })
        for id in acknowledged {
            #expect(keys.contains("school:\(id)"), "order \(id) was acknowledged, so it must be in Kafka")
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        let harness = try IngestHarness(maxBodyBytes: 64)
        try await harness.test { client in
            let body = ByteBuffer(string: String(repeating: "x", count: 65))
            try await client.execute(uri: "/gc/school/deals?secret=\(IngestHarness.secret)", method: .post, body: body) {
                #expect($0.status == .contentTooLarge)
            }
        }
    }

    @Test func healthAndMetrics() async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: Self.orderURI, method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("pipeline_ingest_requests_total"))
                #expect(response.text.contains("pipeline_ingest_events_total"))
                #expect(!response.text.contains(IngestHarness.secret))
            }
        }
    }
}
