import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct TelegramUpdateTests {
    let telegram = TelegramUpdate(context: Fixtures.context)

    /// INPUTS.md §7's supergroup message, with the root and message body substitutable.
    static func update(root: String = "message", chat: String = #"{"id":-1001234567890,"type":"supergroup","title":"Школа: поток 5","is_forum":true}"#, body: String = #""text":"Вопрос по уроку 3""#, from: String = #""from":{"id":987654321,"is_bot":false,"first_name":"Ana","username":"anasouza","language_code":"ru"},"#) -> [UInt8] {
        Array("""
        {"update_id":123456789,
         "\(root)":{"message_id":42,"message_thread_id":7,"is_topic_message":true,
           \(from)
           "chat":\(chat),
           "date":1713456789,\(body),
           "reply_to_message":{"message_id":40,"from":{"id":1,"is_bot":false,"first_name":"B"},"chat":\(chat),"date":1713456700,"text":"…"}}}
        """.utf8)
    }

    @Test func groupMessage() throws {
        let output = try telegram.normalize(update: Self.update(), chatAliases: [:])
        #expect(output.chatAliases == [:])
        let event = try #require(output.events.first)
        #expect(output.events.count == 1)
        #expect(event.id == "telegram:-1001234567890:42:message")
        #expect(event.source == "telegram")
        #expect(event.occurredAt == Instant(microsecondsSinceEpoch: 1_713_456_789_000_000))
        #expect(event.data == .chat(Chat(chatID: "-1001234567890", messageID: "42", userID: "tg:987654321", kind: .message)))
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        #expect(!json.contains("Ana") && !json.contains("anasouza") && !json.contains("Вопрос"))
    }

    @Test func editedMessageIsTheSameEvent() throws {
        let original = try telegram.normalize(update: Self.update(), chatAliases: [:])
        let edited = try telegram.normalize(update: Self.update(root: "edited_message", body: #""edit_date":1713456999,"text":"Вопрос по уроку 4""#), chatAliases: [:])
        #expect(original == edited)
    }

    @Test func joinsPerMemberSkippingBots() throws {
        let body = #""new_chat_members":[{"id":111,"is_bot":false,"first_name":"A"},{"id":222,"is_bot":false,"first_name":"B"},{"id":333,"is_bot":true,"first_name":"Bot"}]"#
        let output = try telegram.normalize(update: Self.update(body: body), chatAliases: [:])
        #expect(output.events.map(\.id) == ["telegram:-1001234567890:42:join:111", "telegram:-1001234567890:42:join:222"])
        #expect(output.events.map(\.data) == [
            .chat(Chat(chatID: "-1001234567890", messageID: "42", userID: "tg:111", kind: .join)),
            .chat(Chat(chatID: "-1001234567890", messageID: "42", userID: "tg:222", kind: .join)),
        ])
    }

    @Test func leave() throws {
        let output = try telegram.normalize(update: Self.update(body: #""left_chat_member":{"id":111,"is_bot":false,"first_name":"A"}"#), chatAliases: [:])
        #expect(output.events.map(\.id) == ["telegram:-1001234567890:42:leave:111"])
        #expect(output.events.first?.data == .chat(Chat(chatID: "-1001234567890", messageID: "42", userID: "tg:111", kind: .leave)))
    }

    @Test func migrationAliasesTheOldChatToTheNewOne() throws {
        let group = #"{"id":-4001,"type":"group","title":"Школа"}"#
        let migrated = try telegram.normalize(update: Self.update(chat: group, body: #""migrate_to_chat_id":-1009999"#), chatAliases: ["-1": "-2"])
        #expect(migrated.events.isEmpty)
        #expect(migrated.chatAliases == ["-1": "-2", "-4001": "-1009999"])
        let late = try telegram.normalize(update: Self.update(chat: group), chatAliases: migrated.chatAliases)
        #expect(late.events.map(\.id) == ["telegram:-1009999:42:message"])
        #expect(late.chatAliases == migrated.chatAliases)

        let fromSide = try telegram.normalize(update: Self.update(body: #""migrate_from_chat_id":-4001"#), chatAliases: [:])
        #expect(fromSide.events.isEmpty)
        #expect(fromSide.chatAliases == ["-4001": "-1001234567890"])
    }

    @Test(arguments: [
        update(chat: #"{"id":987654321,"type":"private","first_name":"Ana"}"#),
        update(chat: #"{"id":-1005,"type":"channel","title":"News"}"#),
        update(root: "channel_post"),
        update(body: #""pinned_message":{"message_id":40,"chat":{"id":-1,"type":"supergroup"},"date":1}"#),
        update(body: #""new_chat_title":"Поток 6""#),
        update(from: #""sender_chat":{"id":-1001234567890,"type":"supergroup","title":"Школа"},"#),
        update(from: #""from":{"id":42,"is_bot":true,"first_name":"Helper"},"#),
        Array(#"{"update_id":5,"my_chat_member":{"chat":{"id":-1,"type":"group"}}}"#.utf8),
    ])
    func ignoredUpdates(_ update: [UInt8]) throws {
        let output = try telegram.normalize(update: update, chatAliases: ["a": "b"])
        #expect(output.events.isEmpty)
        #expect(output.chatAliases == ["a": "b"])
    }

    @Test(arguments: [
        (#"{"update_id":1,"message":{"message_id":1,"from":{"id":5},"chat":{"id":-1,"type":"group"},"text":"hi"}}"#, "message.date: missing"),
        (#"{"update_id":1,"message":{"message_id":1,"from":{"id":5},"chat":{"id":-1,"type":"group"},"date":"x"}}"#, "message.date: must be Unix seconds, got \"x\""),
        (#"{"update_id":1,"message":{"message_id":1,"from":{"id":5},"chat":{"type":"group"},"date":1}}"#, "message.chat.id: missing"),
        (#"{"update_id":1,"message":{"from":{"id":5},"chat":{"id":-1,"type":"group"},"date":1}}"#, "message.message_id: missing"),
        (#"[1]"#, "$: must be an object, got array"),
    ])
    func errors(_ json: String, _ message: String) {
        do {
            _ = try telegram.normalize(update: Array(json.utf8), chatAliases: [:])
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }
}
