/// Two ids of one person (`type: identity`, SPEC §4.12): `alias` (e.g. `tg:123456789`) is `userID`.
public struct Identity: Sendable, Hashable {
    /// The platform user the alias belongs to.
    public var userID: String
    /// Another id of the same person in another source; never equal to `userID`.
    public var alias: String

    public init(userID: String, alias: String) {
        self.userID = userID
        self.alias = alias
    }
}
