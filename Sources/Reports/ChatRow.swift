import Events

/// One community chat's activity over the period (`bi.chat_daily` summed).
public struct ChatRow: Sendable, Equatable {
    public var chatID: String
    /// Days of the period with any message, join or leave.
    public var days: Int
    public var messages: Int
    public var joins: Int
    public var leaves: Int
    /// The sum over those days of the day's distinct writers.
    public var activeMemberDays: Int
    /// The most distinct writers on one day.
    public var maxActiveMembers: Int

    public init(chatID: String, days: Int, messages: Int, joins: Int, leaves: Int, activeMemberDays: Int,
                maxActiveMembers: Int) {
        self.chatID = chatID
        self.days = days
        self.messages = messages
        self.joins = joins
        self.leaves = leaves
        self.activeMemberDays = activeMemberDays
        self.maxActiveMembers = maxActiveMembers
    }

    /// Distinct writers per day, averaged over the days with a row.
    public var averageActiveMembers: Ratio? { Ratio(activeMemberDays, days) }
}
