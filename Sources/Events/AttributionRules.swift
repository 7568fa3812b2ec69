/// The school's UTM convention: how `utm_source` values map to the `network` names of `ad_stats`.
public struct AttributionRules: Sendable, Hashable {
    /// `utm_source` → network; a source not listed is used as the network name as it is.
    public var sourceToNetwork: [String: String]

    public static let defaultSourceToNetwork = ["yandex": "yandex_direct", "vk": "vk_ads", "facebook": "meta", "google": "google_ads"]

    public init(sourceToNetwork: [String: String] = AttributionRules.defaultSourceToNetwork) {
        self.sourceToNetwork = sourceToNetwork
    }

    public static let `default` = AttributionRules()

    /// `(mapped utm_source, utm_campaign, utm_content)`; a missing or empty source gives `(none)`,
    /// a missing or empty campaign or content gives `""`.
    public func attribution(of utm: UTM) -> Attribution {
        let network: String
        if let source = utm.source, !source.isEmpty {
            network = sourceToNetwork[source] ?? source
        } else {
            network = Attribution.noneNetwork
        }
        return Attribution(network: network, campaignID: utm.campaign ?? "", adID: utm.content ?? "")
    }

    /// SPEC §3's deal attribution from an order's own UTM tags: theirs when they carry a non-empty
    /// source, campaign or content; nil otherwise (the order's entry registration decides).
    public func dealAttribution(of utm: UTM?) -> Attribution? {
        guard let utm else { return nil }
        let named = [utm.source, utm.campaign, utm.content].contains { !($0 ?? "").isEmpty }
        return named ? attribution(of: utm) : nil
    }
}
