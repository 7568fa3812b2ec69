import Events

/// Users who wrote in a community chat, or did not, and what they paid (`bi.community_conversion` summed over cohorts).
public struct CommunityRow: Sendable, Equatable {
    /// Whether the users wrote at least one message in any chat.
    public var chatActive: Bool
    public var users: Int
    public var payers: Int
    /// Accepted payments at any time, gross.
    public var revenue: DecimalNumber

    public init(chatActive: Bool, users: Int, payers: Int, revenue: DecimalNumber) {
        self.chatActive = chatActive
        self.users = users
        self.payers = payers
        self.revenue = revenue
    }

    /// payers / users.
    public var payerShare: Ratio? { Ratio(payers, users) }
    /// revenue / users.
    public var revenuePerUser: Ratio? { Ratio(revenue, DecimalNumber(users)) }
}
