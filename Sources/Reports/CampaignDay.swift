import Events

/// One campaign's funnel totals on one day (`bi.traffic_summary` of that day, summed over the campaign's ads).
public struct CampaignDay: Sendable, Equatable {
    public var network: String
    public var campaignID: String
    /// The campaign's name from `bi.ads`, nil when the network never gave one.
    public var campaignName: String?
    public var totals: FunnelTotals

    public init(network: String, campaignID: String, campaignName: String? = nil, totals: FunnelTotals) {
        self.network = network
        self.campaignID = campaignID
        self.campaignName = campaignName
        self.totals = totals
    }

    /// `network / campaign name (id)`, or `network / id` when the campaign has no name.
    public var name: String {
        AdNames.plain(network) + " / " + AdNames.named(campaignName, network: network, id: campaignID)
    }
}
