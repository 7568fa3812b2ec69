import Events

/// One campaign over the period under both attribution models (`bi.attribution_compare` summed over its ads):
/// first touch (the user's first registration) and deal attribution (the order's own UTM or its entry).
public struct AttributionRow: Sendable, Equatable {
    public var network: String
    public var campaignID: String
    /// The same under both models: spend belongs to the ad, not to a model.
    public var spend: DecimalNumber
    public var paidOrdersFirst: Int
    public var paidOrdersDeal: Int
    public var revenueFirst: DecimalNumber
    public var revenueDeal: DecimalNumber
    public var refundsFirst: DecimalNumber
    public var refundsDeal: DecimalNumber

    public init(network: String, campaignID: String, spend: DecimalNumber, paidOrdersFirst: Int, paidOrdersDeal: Int,
                revenueFirst: DecimalNumber, revenueDeal: DecimalNumber, refundsFirst: DecimalNumber,
                refundsDeal: DecimalNumber) {
        self.network = network
        self.campaignID = campaignID
        self.spend = spend
        self.paidOrdersFirst = paidOrdersFirst
        self.paidOrdersDeal = paidOrdersDeal
        self.revenueFirst = revenueFirst
        self.revenueDeal = revenueDeal
        self.refundsFirst = refundsFirst
        self.refundsDeal = refundsDeal
    }

    /// (revenue − refunds − spend) / spend × 100 under first touch, from the campaign's sums; nil without spend.
    public var romiFirst: Ratio? { Ratio((revenueFirst - refundsFirst - spend) * 100, spend) }
    /// The same under deal attribution.
    public var romiDeal: Ratio? { Ratio((revenueDeal - refundsDeal - spend) * 100, spend) }
}
