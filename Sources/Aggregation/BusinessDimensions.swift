import Events

/// The latest non-empty value of a name field and the event that gave it (SPEC §4.11).
public struct LatestName: Sendable, Hashable {
    public var value: String
    public var stamp: EventStamp

    public init(value: String, stamp: EventStamp) {
        self.value = value
        self.stamp = stamp
    }

    /// The later of `current` and a value given at `stamp`; an absent or empty value changes nothing.
    static func latest(_ current: LatestName?, _ value: String?, at stamp: EventStamp) -> LatestName? {
        guard let value, !value.isEmpty else { return current }
        if let current, !(current.stamp < stamp) { return current }
        return LatestName(value: value, stamp: stamp)
    }
}

/// An ad as `bi.ads` lists it: one row per `(project, network, campaign_id, ad_id)` of ad_stats.
public struct AdKey: Sendable, Hashable, Comparable {
    public var project: String
    public var network: String
    public var campaignID: String
    public var adID: String

    public init(project: String, network: String, campaignID: String, adID: String) {
        self.project = project
        self.network = network
        self.campaignID = campaignID
        self.adID = adID
    }

    public static func < (lhs: AdKey, rhs: AdKey) -> Bool {
        if lhs.project != rhs.project { return codePointLess(lhs.project, rhs.project) }
        if lhs.network != rhs.network { return codePointLess(lhs.network, rhs.network) }
        return codePointLess((lhs.campaignID, lhs.adID), (rhs.campaignID, rhs.adID))
    }
}

/// The names one batch gives an ad: per field the batch's latest non-empty value (the writer keeps
/// the later of it and the stored one).
public struct AdNames: Sendable, Hashable {
    public var campaignName: LatestName?
    public var adGroupID: LatestName?
    public var adGroupName: LatestName?
    public var adName: LatestName?

    public init(campaignName: LatestName? = nil, adGroupID: LatestName? = nil, adGroupName: LatestName? = nil, adName: LatestName? = nil) {
        self.campaignName = campaignName
        self.adGroupID = adGroupID
        self.adGroupName = adGroupName
        self.adName = adName
    }

    mutating func absorb(_ stats: AdStats, at stamp: EventStamp) {
        campaignName = LatestName.latest(campaignName, stats.campaignName, at: stamp)
        adGroupID = LatestName.latest(adGroupID, stats.adGroupID, at: stamp)
        adGroupName = LatestName.latest(adGroupName, stats.adGroupName, at: stamp)
        adName = LatestName.latest(adName, stats.adName, at: stamp)
    }
}

/// A manager of a project, as `bi.managers` lists them.
public struct ManagerKey: Sendable, Hashable, Comparable {
    public var project: String
    public var managerID: String

    public init(project: String, managerID: String) {
        self.project = project
        self.managerID = managerID
    }

    public static func < (lhs: ManagerKey, rhs: ManagerKey) -> Bool {
        codePointLess((lhs.project, lhs.managerID), (rhs.project, rhs.managerID))
    }
}

/// One registration with its own attribution and funnel: deal attribution's entry candidates
/// and `bi.deal_funnel_daily`'s registrations (SPEC §3, §4.10).
public struct RegistrationRecord: Sendable, Hashable {
    public var user: UserKey
    public var stamp: EventStamp
    public var day: LocalDate
    public var attribution: Attribution
    /// `''` when the registration has none.
    public var funnel: String

    public init(user: UserKey, stamp: EventStamp, day: LocalDate, attribution: Attribution, funnel: String) {
        self.user = user
        self.stamp = stamp
        self.day = day
        self.attribution = attribution
        self.funnel = funnel
    }
}
