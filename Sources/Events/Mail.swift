/// A mailing event (`type: mail`) for one letter and one user; a letter is `(channel, letter_id)`.
public struct Mail: Sendable, Hashable {
    /// Channels seen so far; `channel` stays an open string because schools add messengers.
    public static let knownChannels: [String] = ["email", "telegram", "vk", "sms", "whatsapp", "viber"]

    public var letterID: String
    /// Non-empty.
    public var channel: String
    public var userID: String
    public var event: MailEvent

    public init(letterID: String, channel: String, userID: String, event: MailEvent) {
        self.letterID = letterID
        self.channel = channel
        self.userID = userID
        self.event = event
    }
}
