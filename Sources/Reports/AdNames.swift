/// The names BI shows beside ad-network ids (`bi.ads`): campaign names per campaign, ad names per ad.
///
/// A name is what an ad network called the thing when it was last polled; ids stay the key, names are
/// only shown. An id without a known name is shown alone.
public struct AdNames: Sendable, Equatable {
    /// A campaign of a network (`adID` empty) or one ad of it.
    public struct Key: Hashable, Sendable {
        public var network: String
        public var campaignID: String
        public var adID: String

        public init(network: String, campaignID: String, adID: String = "") {
            self.network = network
            self.campaignID = campaignID
            self.adID = adID
        }
    }

    /// Keyed with an empty `adID`.
    public var campaigns: [Key: String]
    public var ads: [Key: String]

    public init(campaigns: [Key: String] = [:], ads: [Key: String] = [:]) {
        self.campaigns = campaigns
        self.ads = ads
    }

    public static let none = AdNames()

    public func campaign(_ network: String, _ campaignID: String) -> String? {
        campaigns[Key(network: network, campaignID: campaignID)]
    }

    public func ad(_ network: String, _ campaignID: String, _ adID: String) -> String? {
        ads[Key(network: network, campaignID: campaignID, adID: adID)]
    }

    /// `network / campaign / ad` in plain text (not escaped), each id with its name when one is known:
    /// `yandex_direct / Spring (c-100) / a-2`.
    public func label(network: String, campaignID: String, adID: String? = nil) -> String {
        var parts = [Self.named(campaign(network, campaignID), network: network, id: campaignID)]
        if let adID { parts.append(Self.named(ad(network, campaignID, adID), network: network, id: adID)) }
        return ([Self.plain(network)] + parts).joined(separator: " / ")
    }

    /// `Name (id)`, or the id alone (`''` when empty).
    static func named(_ name: String?, network: String, id: String) -> String {
        guard let name else { return plain(id) }
        return "\(name) (\(plain(id)))"
    }

    static func plain(_ id: String) -> String { id.isEmpty ? "''" : id }
}
