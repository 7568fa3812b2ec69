/// A community chat event (`type: chat`): a message, a join or a leave.
public struct Chat: Sendable, Hashable {
    public var chatID: String
    public var messageID: String
    public var userID: String
    public var kind: ChatKind

    public init(chatID: String, messageID: String, userID: String, kind: ChatKind) {
        self.chatID = chatID
        self.messageID = messageID
        self.userID = userID
        self.kind = kind
    }
}
