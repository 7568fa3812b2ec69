/// Which ad a fact is credited to: `(network, campaign_id, ad_id)` (SPEC §3).
public struct Attribution: Sendable, Hashable, CustomStringConvertible {
    public var network: String
    public var campaignID: String
    public var adID: String

    public init(network: String, campaignID: String, adID: String) {
        self.network = network
        self.campaignID = campaignID
        self.adID = adID
    }

    /// The attribution of a user who has no registration yet.
    public static let unattributed = Attribution(network: "(unattributed)", campaignID: "", adID: "")

    /// The network of UTM tags without a source.
    public static let noneNetwork = "(none)"

    public var description: String { "(\(network), \(campaignID), \(adID))" }
}
