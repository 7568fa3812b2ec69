import Events
import Foundation
import Testing
@testable import Normalizers

/// Over-long ids are refused under the sender's field name, not later as the derived event id the sender never sent.
@Suite struct IdentifierLimitTests {
    static let hundred = String(repeating: "7", count: 100)
    static let hundredAndOne = String(repeating: "7", count: 101)

    @Test func aCallbackUserIDOf100CharactersIsTakenAndOf101IsRefusedByName() throws {
        let callback = GetCourseCallback(context: Fixtures.context)
        let events = try callback.normalize(kind: .user, query: ["user_id": Self.hundred], receivedAt: Fixtures.receivedAt)
        #expect(events.map(\.id) == ["getcourse:user:\(Self.hundred):registration"])
        #expect(throws: NormalizationError(field: "user_id", problem: "must be at most 100 characters, got 101")) {
            try callback.normalize(kind: .user, query: ["user_id": Self.hundredAndOne], receivedAt: Fixtures.receivedAt)
        }
        let order = ["order_id": Self.hundredAndOne, "user_id": "1", "status": "new", "cost": "1", "created_at": "2026-01-15 09:00:00"]
        #expect(throws: NormalizationError(field: "order_id", problem: "must be at most 100 characters, got 101")) {
            try callback.normalize(kind: .order, query: order, receivedAt: Fixtures.receivedAt)
        }
        let payment = ["payment_id": Self.hundredAndOne, "order_id": "1", "user_id": "1", "status": "accepted", "amount": "1"]
        #expect(throws: NormalizationError(field: "payment_id", problem: "must be at most 100 characters, got 101")) {
            try callback.normalize(kind: .payment, query: payment, receivedAt: Fixtures.receivedAt)
        }
    }

    @Test func aDealIDOf101CharactersIsRefusedByItsPath() throws {
        let webhook = GetCourseDealWebhook(context: Fixtures.context)
        let body = GetCourseDealWebhookTests.body().replacingIDs(with: Self.hundredAndOne)
        #expect(throws: NormalizationError(field: "deal.id", problem: "must be at most 100 characters, got 101")) {
            try webhook.normalize(body: body)
        }
        // The longest id taken still makes an envelope id within 200 characters.
        let longest = try webhook.normalize(body: GetCourseDealWebhookTests.body().replacingIDs(with: Self.hundred))
        #expect(longest.map(\.id) == ["getcourse:order:\(Self.hundred):payed:1768467822"])
    }
}

private extension Array where Element == UInt8 {
    func replacingIDs(with id: String) -> [UInt8] {
        Array(String(decoding: self, as: UTF8.self).replacingOccurrences(of: #""id":"871035642""#, with: "\"id\":\"\(id)\"").utf8)
    }
}

/// NUL, which PostgreSQL text cannot hold, is refused under the sender's field (found by the seeded fuzzing, which
/// saw it refused as `event.data.utm.source`, a field the sender never sent).
@Suite struct NULCharacterTests {
    @Test(arguments: ["utm_source", "visitor_id", "funnel", "user_id"])
    func aCallbackParameterWithNULIsRefusedByName(_ name: String) throws {
        let callback = GetCourseCallback(context: Fixtures.context)
        var query = ["user_id": "1", "utm_source": "yandex", "visitor_id": "v1", "funnel": "f"]
        query[name] = "a\u{0}b"
        #expect(throws: NormalizationError(field: name, problem: "must not contain the NUL character (U+0000)")) {
            try callback.normalize(kind: .user, query: query, receivedAt: Fixtures.receivedAt)
        }
    }

    @Test func aClickIDWithNULIsRefusedByName() throws {
        let tracker = ClickTracker(context: Fixtures.context, allowedHosts: ["school.ru"])
        #expect(throws: NormalizationError(field: "yclid", problem: "must not contain the NUL character (U+0000)")) {
            try tracker.normalize(pathComponents: ["c", "school1", "l"], query: ["url": "https://school.ru/", "yclid": "\u{0}"],
                                  visitorID: "v1", receivedAt: Fixtures.receivedAt)
        }
    }

    @Test func aJSONStringWithNULIsRefusedByItsPath() throws {
        let telegram = TelegramUpdate(context: Fixtures.context)
        let update = #"{"update_id":1,"message":{"message_id":1,"from":{"id":"\u0000","is_bot":false},"chat":{"id":-1,"type":"group"},"date":1768467822,"text":"x"}}"#
        #expect(throws: NormalizationError(field: "message.from.id", problem: "must not contain the NUL character (U+0000)")) {
            try telegram.normalize(update: Array(update.utf8), chatAliases: [:])
        }
    }
}
