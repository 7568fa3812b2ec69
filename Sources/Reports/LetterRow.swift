import Events

/// One letter's totals (a row of `bi.mail_letters`), with its rates computed from the counts.
public struct LetterRow: Sendable, Equatable {
    public var channel: String
    public var letterID: String
    public var sent: Int
    public var delivered: Int
    public var uniqueOpens: Int
    public var uniqueClicks: Int
    public var unsubscribed: Int
    public var bounced: Int
    public var spam: Int
    public var payersAfterClick: Int
    /// Gross revenue of payments within 7 days after a click on this letter.
    public var revenueAfterClick: DecimalNumber

    public init(channel: String, letterID: String, sent: Int, delivered: Int, uniqueOpens: Int, uniqueClicks: Int,
                unsubscribed: Int, bounced: Int, spam: Int, payersAfterClick: Int, revenueAfterClick: DecimalNumber) {
        self.channel = channel
        self.letterID = letterID
        self.sent = sent
        self.delivered = delivered
        self.uniqueOpens = uniqueOpens
        self.uniqueClicks = uniqueClicks
        self.unsubscribed = unsubscribed
        self.bounced = bounced
        self.spam = spam
        self.payersAfterClick = payersAfterClick
        self.revenueAfterClick = revenueAfterClick
    }

    /// delivered / sent.
    public var deliveryRate: Ratio? { Ratio(delivered, sent) }
    /// unique_opens / delivered.
    public var openRate: Ratio? { Ratio(uniqueOpens, delivered) }
    /// unique_clicks / delivered.
    public var clickRate: Ratio? { Ratio(uniqueClicks, delivered) }
    /// unsubscribed / delivered.
    public var unsubscribeRate: Ratio? { Ratio(unsubscribed, delivered) }
}
