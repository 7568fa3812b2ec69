import Events

/// One ad's totals over the period (a row of `bi.traffic_summary`), or a campaign's or the whole table's sum.
public struct TrafficRow: Sendable, Equatable {
    public var network: String
    public var campaignID: String
    public var adID: String
    public var totals: FunnelTotals
    /// Non-profit cost: the ad's spend when its revenue in the period is 0, else 0; summed for subtotals.
    public var npc: DecimalNumber

    public init(network: String, campaignID: String, adID: String, totals: FunnelTotals, npc: DecimalNumber) {
        self.network = network
        self.campaignID = campaignID
        self.adID = adID
        self.totals = totals
        self.npc = npc
    }
}
