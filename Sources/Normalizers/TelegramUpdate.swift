import Events
import Foundation

/// Normalizes Telegram Bot API updates from the school's community groups into chat events.
///
/// - `message` → a `message` event; `edited_message` → the very same event (same id), so an edit never counts twice.
/// - `new_chat_members` → one `join` per member; `left_chat_member` → a `leave`.
/// - `migrate_to_chat_id` (in the old group) and `migrate_from_chat_id` (in the new supergroup) record
///   old → new in the alias map, which the caller persists and passes back, so later events of the group
///   keep one chat id; they produce no event themselves.
/// - Private chats, channels and other update kinds give no events: they are not community activity.
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
    }

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

    public init(context: ProjectContext) {
        self.context = context
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
