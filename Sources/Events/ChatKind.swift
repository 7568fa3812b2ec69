/// What a user did in a community chat; only `message` makes a user chat-active.
public enum ChatKind: String, Sendable, Hashable, CaseIterable {
    case message
    case join
    case leave
}
