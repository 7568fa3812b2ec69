import Events

/// One campaign's funnel totals on one day (`bi.traffic_summary` of that day, summed over the campaign's ads).
public struct CampaignDay: Sendable, Equatable {
    public var network: String
    public var campaignID: String
    public var totals: FunnelTotals

    public init(network: String, campaignID: String, totals: FunnelTotals) {
        self.network = network
        self.campaignID = campaignID
        self.totals = totals
    }

    /// `network / campaign`.
    public var name: String { [network, campaignID].map { $0.isEmpty ? "''" : $0 }.joined(separator: " / ") }
}
