import Events

/// The daily summary for a project's chat: one day against the day before, the campaigns that made and
/// lost the most money that day, and the creatives burning out.
public struct Digest: Sendable, Equatable {
    /// How many campaigns each of the best and worst lists holds at most.
    public static let campaignsListed = 3
    /// How many managers the digest lists at most (the rest are counted).
    public static let managersListed = 5
    /// How many webinars are listed at most (the rest are counted).
    public static let webinarsListed = 3
    /// How many burning creatives are named at most (the rest are counted).
    public static let creativesListed = 5

    public var project: String
    public var currency: String
    /// The day summarized (usually yesterday in the project's time zone).
    public var day: LocalDate
    public var totals: FunnelTotals
    /// The day before `day`.
    public var previousTotals: FunnelTotals
    /// Every campaign with figures on `day`.
    public var campaigns: [CampaignDay]
    /// Creatives whose status is burnt out or stagnating.
    public var burning: [CreativeCurve]
    /// The latest day with data, where the burnout windows end.
    public var creativesAsOf: LocalDate?
    /// Managers with orders or money on `day`, with their names.
    public var managers: [ManagerRow]
    /// Names for the burning creatives' ads (campaign names are in `campaigns`).
    public var names: AdNames
    /// First completions of a lesson by a student on `day` (`bi.learning_daily.completed` summed over lessons).
    public var lessonCompletions: Int
    /// Webinars with first attendances on `day`, with their attendees and buyers within 7 days so far.
    public var webinars: [WebinarRow]

    public init(project: String, currency: String, day: LocalDate, totals: FunnelTotals, previousTotals: FunnelTotals,
                campaigns: [CampaignDay] = [], burning: [CreativeCurve] = [], creativesAsOf: LocalDate? = nil,
                managers: [ManagerRow] = [], names: AdNames = .none, lessonCompletions: Int = 0, webinars: [WebinarRow] = []) {
        self.project = project
        self.currency = currency
        self.day = day
        self.totals = totals
        self.previousTotals = previousTotals
        self.campaigns = campaigns
        self.burning = burning
        self.creativesAsOf = creativesAsOf
        self.managers = managers
        self.names = names
        self.lessonCompletions = lessonCompletions
        self.webinars = webinars
    }

    /// Campaigns that spent that day and made a profit (revenue − refunds − spend > 0), the largest first.
    public var bestCampaigns: [CampaignDay] {
        Array(paid.filter { $0.totals.profit > .zero }
            .sorted { ($0.totals.profit, $1.name) > ($1.totals.profit, $0.name) }
            .prefix(Self.campaignsListed))
    }

    /// Campaigns that spent that day and lost money (profit < 0), the largest loss first.
    public var worstCampaigns: [CampaignDay] {
        Array(paid.filter { $0.totals.profit < .zero }
            .sorted { ($0.totals.profit, $0.name) < ($1.totals.profit, $1.name) }
            .prefix(Self.campaignsListed))
    }

    /// Managers by revenue, then paid orders, then orders (largest first), ties by id in byte order.
    public var managersByRevenue: [ManagerRow] {
        managers.sorted {
            if $0.revenue != $1.revenue { return $0.revenue > $1.revenue }
            if $0.paidOrders != $1.paidOrders { return $0.paidOrders > $1.paidOrders }
            if $0.orders != $1.orders { return $0.orders > $1.orders }
            return Array(($0.managerID ?? "").utf8).lexicographicallyPrecedes(Array(($1.managerID ?? "").utf8))
        }
    }

    /// Only campaigns with spend are judged: organic traffic costs nothing and cannot be switched off.
    private var paid: [CampaignDay] { campaigns.filter { $0.totals.spend > .zero } }
}
