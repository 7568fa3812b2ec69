import Events
import Foundation
import Testing
@testable import Normalizers

/// `/start <payload>` in the bot's private chat: a valid school token links `tg:<from.id>` to the token's user,
/// anything else is refused with a reply and no event.
@Suite struct TelegramStartTests {
    static let context = ProjectContext(project: "demo-school", salt: "s4lt")
    static let telegram = TelegramUpdate(context: context, linkSecret: "link-secret")
    /// TelegramDeepLinkTests' known token: user 123456789 of demo-school, expiring 2027-01-01T00:00:00Z.
    static let knownToken = "AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC"
    /// 2024-04-18T16:13:09Z, the update's `date`.
    static let sentAt = Instant(microsecondsSinceEpoch: 1_713_456_789_000_000)

    /// A private message as Telegram sends it when the member presses START (INPUTS.md §17: text `/start PAYLOAD`,
    /// `chat.id == from.id`).
    static func update(text: String, from: String = #"{"id":987654321,"is_bot":false,"first_name":"Ana","language_code":"ru"}"#) -> [UInt8] {
        Array("""
        {"update_id":555000111,
         "message":{"message_id":3,"from":\(from),
           "chat":{"id":987654321,"first_name":"Ana","type":"private"},
           "date":1713456789,"text":\(JSONStringLiteral.make(text)),
           "entities":[{"offset":0,"length":6,"type":"bot_command"}]}}
        """.utf8)
    }

    static func refusal(_ error: NormalizationError.DeepLink) -> TelegramUpdate.Reply {
        TelegramUpdate.Reply(chatID: "987654321", text: error.description)
    }

    @Test func aValidTokenLinksTheMemberAndConfirms() throws {
        let output = try Self.telegram.normalize(update: Self.update(text: "/start " + Self.knownToken), chatAliases: [:])
        let event = try #require(output.events.first)
        #expect(output.events.count == 1)
        #expect(event.id == "telegram:start:987654321:123456789")
        #expect(event.type == .identity)
        #expect(event.source == "telegram")
        #expect(event.project == "demo-school")
        #expect(event.occurredAt == Self.sentAt)
        #expect(event.data == .identity(Identity(userID: "123456789", alias: "tg:987654321")))
        #expect(output.reply == TelegramUpdate.Reply(chatID: "987654321", text: TelegramUpdate.linkedReply))
        #expect(output.reply?.webhookBody == #"{"method":"sendMessage","chat_id":987654321,"text":"Done: this Telegram account is now linked to your school account."}"#)
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        #expect(!json.contains("Ana"))
    }

    @Test func pressingStartAgainIsTheSameFact() throws {
        let first = try Self.telegram.normalize(update: Self.update(text: "/start " + Self.knownToken), chatAliases: [:])
        let again = try Self.telegram.normalize(update: Self.update(text: "/start@demo_school_bot " + Self.knownToken), chatAliases: [:])
        #expect(first.events == again.events)
    }

    @Test func aForgedTokenIsRefusedWithAReply() throws {
        let forged = try TelegramDeepLinkToken(userID: "123456789", expiresAt: Instant(rfc3339: "2027-01-01T00:00:00Z")!)
            .encoded(project: "demo-school", secret: "not-the-school-secret")
        let output = try Self.telegram.normalize(update: Self.update(text: "/start " + forged), chatAliases: [:])
        #expect(output.events.isEmpty)
        #expect(output.reply == Self.refusal(.forged))
    }

    @Test func aTokenOfAnotherProjectIsRefusedEvenUnderTheSameSecret() throws {
        let other = try TelegramDeepLinkToken(userID: "123456789", expiresAt: Instant(rfc3339: "2027-01-01T00:00:00Z")!)
            .encoded(project: "other-school", secret: "link-secret")
        let output = try Self.telegram.normalize(update: Self.update(text: "/start " + other), chatAliases: [:])
        #expect(output.events.isEmpty)
        #expect(output.reply == Self.refusal(.forged))
    }

    /// Verified at the message's own time: a token that expired before the member pressed START is refused.
    @Test func aTokenExpiredAtTheMessageTimeIsRefused() throws {
        let expired = try TelegramDeepLinkToken(userID: "123456789", expiresAt: Self.sentAt)
            .encoded(project: "demo-school", secret: "link-secret")
        let output = try Self.telegram.normalize(update: Self.update(text: "/start " + expired), chatAliases: [:])
        #expect(output.events.isEmpty)
        #expect(output.reply == Self.refusal(.expired))
        let stillValid = try TelegramDeepLinkToken(userID: "123456789", expiresAt: Instant(microsecondsSinceEpoch: Self.sentAt.microsecondsSinceEpoch + 1_000_000))
            .encoded(project: "demo-school", secret: "link-secret")
        #expect(try Self.telegram.normalize(update: Self.update(text: "/start " + stillValid), chatAliases: [:]).events.count == 1)
    }

    @Test func aMalformedPayloadIsRefused() throws {
        for payload in ["promo_spring", "AAAA", "not base64!"] {
            let output = try Self.telegram.normalize(update: Self.update(text: "/start " + payload), chatAliases: [:])
            #expect(output.events.isEmpty)
            #expect(output.reply == Self.refusal(.malformed), "\(payload)")
        }
    }

    @Test func withoutALinkSecretEveryPayloadIsRefused() throws {
        let unconfigured = TelegramUpdate(context: Self.context)
        let output = try unconfigured.normalize(update: Self.update(text: "/start " + Self.knownToken), chatAliases: [:])
        #expect(output.events.isEmpty)
        #expect(output.reply == Self.refusal(.missingSecret))
    }

    /// A bare START, any other private text, and a bot pressing START are neither links nor refusals.
    @Test func otherPrivateMessagesGiveNothing() throws {
        for text in ["/start", "/help", "hello " + Self.knownToken] {
            let output = try Self.telegram.normalize(update: Self.update(text: text), chatAliases: [:])
            #expect(output.events.isEmpty && output.reply == nil, "\(text)")
        }
        let bot = try Self.telegram.normalize(
            update: Self.update(text: "/start " + Self.knownToken, from: #"{"id":5,"is_bot":true,"first_name":"B"}"#), chatAliases: [:])
        #expect(bot.events.isEmpty && bot.reply == nil)
    }

    /// A token whose user id is the member's own alias would link a person to themselves.
    @Test func aTokenForTheAliasItselfIsRefused() throws {
        let selfLink = try TelegramDeepLinkToken(userID: "tg:987654321", expiresAt: Instant(rfc3339: "2027-01-01T00:00:00Z")!)
            .encoded(project: "demo-school", secret: "link-secret")
        let output = try Self.telegram.normalize(update: Self.update(text: "/start " + selfLink), chatAliases: [:])
        #expect(output.events.isEmpty)
        #expect(output.reply == Self.refusal(.malformed))
    }
}
