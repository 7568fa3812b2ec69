import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Normalizers
import Testing

/// Linking people through the ingest routes: the bot's `/start <payload>` answers the member in the webhook reply
/// and publishes the link only when the school's token is valid.
@Suite struct IngestIdentityTests {
    static let headers = HTTPFields.header("X-Telegram-Bot-Api-Secret-Token", IngestHarness.telegramSecret)
    static let expiry = Instant(rfc3339: "2027-01-01T00:00:00Z")!

    /// A private START press on 2026-01-15T09:03:42Z (INPUTS.md §17), from member 987654321.
    static func start(_ payload: String, updateID: Int = 700) -> String {
        #"{"update_id":\#(updateID),"message":{"message_id":1,"from":{"id":987654321,"is_bot":false,"first_name":"Ana"},"chat":{"id":987654321,"first_name":"Ana","type":"private"},"date":1768467822,"text":"/start \#(payload)"}}"#
    }

    static func token(user: String = "512478330", project: String = IngestHarness.project, secret: String = IngestHarness.linkSecret, expiresAt: Instant = expiry) throws -> String {
        try TelegramDeepLinkToken(userID: user, expiresAt: expiresAt).encoded(project: project, secret: secret)
    }

    static func reply(_ text: String) -> String {
        #"{"method":"sendMessage","chat_id":987654321,"text":\#(JSONStringLiteral.make(text))}"#
    }

    @Test func aValidStartLinksTheMemberAndRepliesWithAConfirmation() async throws {
        let harness = try IngestHarness()
        let update = Self.start(try Self.token())
        try await harness.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.headers, body: ByteBuffer(string: update)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.text == Self.reply(TelegramUpdate.linkedReply))
            }
        }
        let messages = try await harness.messages(in: "school.registrations", atLeast: 1)
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.key.map { String(decoding: $0, as: UTF8.self) } == "school:512478330")
        let event = try Event.decode(json: message.value)
        #expect(event.id == "telegram:start:987654321:512478330")
        #expect(event.data == .identity(Identity(userID: "512478330", alias: "tg:987654321")))
        #expect(event.occurredAt == Instant(rfc3339: "2026-01-15T09:03:42Z")!)
    }

    @Test func forgedExpiredAndCrossProjectTokensAreRefusedWithAReplyAndNoEvent() async throws {
        let harness = try IngestHarness()
        let cases: [(String, NormalizationError.DeepLink)] = [
            (try Self.token(secret: "guessed-secret"), .forged),
            (try Self.token(project: "other-school"), .forged),
            (try Self.token(expiresAt: Instant(rfc3339: "2026-01-15T09:03:42Z")!), .expired),
            ("promo_spring", .malformed),
        ]
        for (index, (payload, error)) in cases.enumerated() {
            let update = Self.start(payload, updateID: 800 + index)
            try await harness.test { client in
                try await client.execute(uri: "/telegram/school", method: .post, headers: Self.headers, body: ByteBuffer(string: update)) { response in
                    // 200 even when refused: Telegram must not send the refused update again.
                    #expect(response.status == .ok)
                    #expect(response.text == Self.reply(error.description), "\(payload)")
                }
            }
        }
        let all = try await harness.allMessages()
        let produced = all.values.reduce(0) { $0 + $1.count }
        #expect(produced == 0, "\(all.keys)")
    }

    /// The user process with the Telegram id field: the registration and the link both land on the registrations topic.
    @Test func aGetCourseUserCallbackWithATelegramIDLinksToo() async throws {
        let harness = try IngestHarness()
        let uri = "/gc/school/user?secret=\(IngestHarness.secret)&id=512478330&created_at=2026-01-15+09%3A00%3A00&telegram_id=987654321"
        try await harness.test { client in
            try await client.execute(uri: uri, method: .post) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":2}"#)
            }
        }
        #expect(try await IngestSuccessPathTests.landed(harness, atLeast: 2) == [
            "school.registrations school:512478330 getcourse:user:512478330:registration",
            "school.registrations school:512478330 getcourse:user:512478330:telegram:987654321",
        ])
    }
}
