import Events
import Foundation
import Testing
@testable import Normalizers

/// A user process «Вызвать URL» carrying the additional field with the member's Telegram id (INPUTS.md §15) links too.
@Suite struct GetCourseIdentityTests {
    let callback = GetCourseCallback(context: Fixtures.context)

    /// A user callback as a school templates it: `…&id={object.id}&created_at={object.created_at}&telegram_id={object.telegram_id}`.
    static func query(_ telegram: String) -> [String: String] {
        Fixtures.query("secret=S&id=512478330&email=a%40b.ru&created_at=2026-01-15+09%3A00%3A00&" + telegram)
    }

    @Test func aNumericTelegramIDGivesAnIdentityBesideTheRegistration() throws {
        let events = try callback.normalize(kind: .user, query: Self.query("telegram_id=987654321"), receivedAt: Fixtures.receivedAt)
        #expect(events.count == 2)
        #expect(events.first?.id == "getcourse:user:512478330:registration")
        let link = try #require(events.last)
        #expect(link.id == "getcourse:user:512478330:telegram:987654321")
        #expect(link.type == .identity)
        #expect(link.source == "getcourse")
        #expect(link.occurredAt == Fixtures.instant("2026-01-15T09:00:00+03:00"))
        #expect(link.data == .identity(Identity(userID: "512478330", alias: "tg:987654321")))
    }

    @Test func tgIDIsTheSecondName() throws {
        let events = try callback.normalize(kind: .user, query: Self.query("tg_id=+987654321+"), receivedAt: Fixtures.receivedAt)
        #expect(events.map(\.id) == ["getcourse:user:512478330:registration", "getcourse:user:512478330:telegram:987654321"])
    }

    /// An unset template variable, a username, a negative (group) id, zero or an over-long number link nobody,
    /// and the registration still counts.
    @Test func anythingButATelegramUserIDIsSkipped() throws {
        for telegram in ["telegram_id=", "telegram_id=%40anasouza", "telegram_id=-100123", "telegram_id=0", "telegram_id=12345678901234567", "other=1"] {
            let events = try callback.normalize(kind: .user, query: Self.query(telegram), receivedAt: Fixtures.receivedAt)
            #expect(events.map(\.type) == [.registration], "\(telegram)")
        }
    }

    @Test func aRetriedCallbackGivesTheSameEvents() throws {
        let first = try callback.normalize(kind: .user, query: Self.query("telegram_id=987654321"), receivedAt: Fixtures.receivedAt)
        let retry = try callback.normalize(kind: .user, query: Self.query("telegram_id=987654321"), receivedAt: Fixtures.receivedAt.advanced(byMicroseconds: 60_000_000))
        #expect(first == retry)
    }
}
