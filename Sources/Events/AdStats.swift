/// One poll of an ad's figures for one network day (`type: ad_stats`); a later poll of the same day replaces it.
public struct AdStats: Sendable, Hashable {
    /// The largest count accepted: 2^53 - 1, so every count survives a trip through JSON tools that use doubles.
    public static let maximumCount: Int64 = 9_007_199_254_740_991

    public var network: String
    public var accountID: String
    public var campaignID: String
    public var adID: String
    /// The network's own day, used as given (not converted to the project's zone).
    public var day: LocalDate
    public var impressions: Int64
    public var clicks: Int64
    /// Spend in `currency`; zero is allowed.
    public var cost: DecimalNumber
    /// ISO 4217 code, three uppercase letters.
    public var currency: String
    /// Names as the network shows them; optional because not every report carries them.
    public var campaignName: String?
    public var adGroupID: String?
    public var adGroupName: String?
    public var adName: String?

    public init(network: String, accountID: String, campaignID: String, adID: String, day: LocalDate, impressions: Int64, clicks: Int64, cost: DecimalNumber, currency: String,
                campaignName: String? = nil, adGroupID: String? = nil, adGroupName: String? = nil, adName: String? = nil) {
        self.network = network
        self.accountID = accountID
        self.campaignID = campaignID
        self.adID = adID
        self.day = day
        self.impressions = impressions
        self.clicks = clicks
        self.cost = cost
        self.currency = currency
        self.campaignName = campaignName
        self.adGroupID = adGroupID
        self.adGroupName = adGroupName
        self.adName = adName
    }
}
