import Events
import Foundation

/// Normalizes Telegram Bot API updates from the school's community groups into chat events.
///
/// - `message` → a `message` event; `edited_message` → the very same event (same id), so an edit never counts twice.
/// - `new_chat_members` → one `join` per member; `left_chat_member` → a `leave`.
/// - `migrate_to_chat_id` (in the old group) and `migrate_from_chat_id` (in the new supergroup) record
///   old → new in the alias map, which the caller persists and passes back, so later events of the group
///   keep one chat id; they produce no event themselves.
/// - Private chats, channels and other update kinds give no events: they are not community activity. The one
///   exception is `/start <payload>` in a private chat, the member pressing START on the school's deep link: the
///   payload is verified as a `TelegramDeepLinkToken` with the project's link secret at the message's `date`, and a
///   valid one gives an `identity` event `tg:<from.id>` ↔ the token's user, id `telegram:start:<from.id>:<user>`
///   (the same fact however often the member presses START). Valid or not, `reply` answers the member.
/// - Bots and senders without `from` (anonymous admins posting as the chat) give no events: they are not users.
/// - Other service messages (pins, title or photo changes, topic events) are not messages and give nothing.
///
/// Ids are `telegram:<chat id>:<message id>:<kind>[:<member id>]` (a message id is unique only within its
/// chat); `occurred_at` is the message's `date` (Unix seconds UTC, the original send time even for edits);
/// `user_id` is `tg:<from.id>`.
public struct TelegramUpdate: Sendable {
    /// The events and the alias map to persist in place of the one passed in.
    public struct Output: Sendable, Equatable {
        public var events: [Event]
        public var chatAliases: [String: String]
        /// A message for the bot to send back (a `/start` confirmation or refusal); nil for anything else.
        public var reply: Reply?
    }

    /// A `sendMessage` call the webhook answers with, so the member hears back without a Bot API token here.
    public struct Reply: Sendable, Equatable {
        /// The private chat's id, as Telegram sent it (an integer).
        public var chatID: String
        public var text: String

        /// `{"method":"sendMessage","chat_id":…,"text":…}`: Telegram performs a method call given as a webhook's answer.
        public var webhookBody: String {
            let numeric = !chatID.isEmpty && chatID.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            let chat = numeric ? chatID : JSONStringLiteral.make(chatID)
            return "{\"method\":\"sendMessage\",\"chat_id\":\(chat),\"text\":\(JSONStringLiteral.make(text))}"
        }
    }

    /// What the member reads after a link was taken.
    public static let linkedReply = "Done: this Telegram account is now linked to your school account."

    public static let source = "telegram"

    /// Fields that make a message a service message rather than something a member wrote.
    static let serviceFields: Set<String> = [
        "new_chat_title", "new_chat_photo", "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
        "channel_chat_created", "message_auto_delete_timer_changed", "pinned_message", "forum_topic_created",
        "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened", "general_forum_topic_hidden",
        "general_forum_topic_unhidden", "video_chat_scheduled", "video_chat_started", "video_chat_ended",
        "video_chat_participants_invited", "boost_added", "chat_background_set", "write_access_allowed",
        "users_shared", "chat_shared", "proximity_alert_triggered", "giveaway_created", "giveaway_completed",
    ]

    /// Guards against a cycle in a persisted alias map; real migrations chain once.
    static let maximumAliasHops = 8

    public let context: ProjectContext
    /// The project's deep-link secret; nil refuses every `/start` payload (with a reply saying so).
    public let linkSecret: String?

    public init(context: ProjectContext, linkSecret: String? = nil) {
        self.context = context
        self.linkSecret = linkSecret
    }

    /// - Parameter chatAliases: old chat id → new chat id, as returned by earlier calls.
    public func normalize(update: [UInt8], chatAliases: [String: String]) throws(NormalizationError) -> Output {
        var output = Output(events: [], chatAliases: chatAliases)
        let root = try JSONReader(parsing: update)
        _ = try root.object()
        var found = try root.optional("message")
        if found == nil { found = try root.optional("edited_message") }
        guard let message = found else { return output }
        let chat = try message.required("chat")
        let chatType = try chat.required("type").string()
        if chatType == "private" {
            output.reply = try start(message, chat: chat, into: &output.events)
            return output
        }
        guard chatType == "group" || chatType == "supergroup" else { return output }
        let chatID = try chat.required("id").identifier()

        if let newID = try message.optional("migrate_to_chat_id") {
            output.chatAliases[chatID] = try newID.identifier()
            return output
        }
        if let oldID = try message.optional("migrate_from_chat_id") {
            output.chatAliases[try oldID.identifier()] = chatID
            return output
        }

        let resolvedChat = resolve(chatID, aliases: output.chatAliases)
        let messageID = try message.required("message_id").identifier()
        let occurredAt = try TimeParsing.instant(unixSeconds: message.required("date").value, field: message.childPath("date"))
        func event(_ kind: ChatKind, user: String, member: String?) throws(NormalizationError) -> Event {
            let id = "telegram:\(resolvedChat):\(messageID):\(kind.rawValue)" + (member.map { ":" + $0 } ?? "")
            return try EventChecking.checked(Event(
                id: id, project: context.project, source: Self.source, occurredAt: occurredAt,
                data: .chat(Chat(chatID: resolvedChat, messageID: messageID, userID: "tg:" + user, kind: kind))))
        }

        if let members = try message.optional("new_chat_members") {
            for member in try members.elements() {
                guard let id = try person(member) else { continue }
                output.events.append(try event(.join, user: id, member: id))
            }
            return output
        }
        if let member = try message.optional("left_chat_member") {
            if let id = try person(member) { output.events.append(try event(.leave, user: id, member: id)) }
            return output
        }
        guard case .object(let fields) = message.value, fields.keys.allSatisfy({ !Self.serviceFields.contains($0) }) else { return output }
        guard let from = try message.optional("from"), let sender = try person(from) else { return output }
        output.events.append(try event(.message, user: sender, member: nil))
        return output
    }

    /// Handles a private `/start <payload>`: appends the identity event of a valid token and returns the reply,
    /// or nil when the message is not a `/start` with a payload (a bare START, any other private message).
    private func start(_ message: JSONReader, chat: JSONReader, into events: inout [Event]) throws(NormalizationError) -> Reply? {
        guard let textField = try message.optional("text"), case .string(let text) = textField.value else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        // `/start@<bot>` is how a client may address the command; the payload is what follows the space.
        guard parts.count == 2, parts[0] == "/start" || parts[0].hasPrefix("/start@") else { return nil }
        guard let from = try message.optional("from"), let member = try person(from) else { return nil }
        let reply = { (text: String) throws(NormalizationError) -> Reply in Reply(chatID: try chat.required("id").identifier(), text: text) }
        let payload = parts[1].trimmingCharacters(in: .whitespaces)
        let occurredAt = try TimeParsing.instant(unixSeconds: message.required("date").value, field: message.childPath("date"))
        let token: TelegramDeepLinkToken
        do {
            token = try TelegramDeepLinkToken.verify(payload, project: context.project, secret: linkSecret ?? "", now: occurredAt)
        } catch {
            return try reply(error.description)
        }
        let alias = "tg:" + member
        // A token for a user whose id is this very alias would be a link of a person to themselves, which SPEC refuses.
        guard token.userID != alias else { return try reply(NormalizationError.DeepLink.malformed.description) }
        events.append(try EventChecking.checked(Event(
            id: "telegram:start:\(member):\(token.userID)", project: context.project, source: Self.source,
            occurredAt: occurredAt, data: .identity(Identity(userID: token.userID, alias: alias)))))
        return try reply(Self.linkedReply)
    }

    /// The user's id, or nil for a bot.
    private func person(_ user: JSONReader) throws(NormalizationError) -> String? {
        if let isBot = try user.optional("is_bot"), case .bool(true) = isBot.value { return nil }
        return try user.required("id").identifier()
    }

    private func resolve(_ chatID: String, aliases: [String: String]) -> String {
        var current = chatID
        for _ in 0..<Self.maximumAliasHops {
            guard let next = aliases[current], next != current else { break }
            current = next
        }
        return current
    }
}
