import Events

/// Everything the HTML report shows for one project and period, read from the `bi` views.
///
/// Plain data: `ReportReader` fills it, `ReportRenderer` turns it into a page, tests build it by hand.
public struct Report: Sendable, Equatable {
    public var project: String
    /// The base currency every amount is in (the project's `base_currency`).
    public var currency: String
    public var period: ReportPeriod
    /// Shown in the page's header; injected so that rendering is a pure function.
    public var generatedAt: Instant
    public var totals: FunnelTotals
    /// Users whose first registration falls in the period.
    public var newUsers: Int
    public var previousTotals: FunnelTotals
    public var previousNewUsers: Int
    /// Days of the period that have figures, in order.
    public var daily: [DayTotals]
    /// One row per ad of the period, sorted by network, campaign, ad.
    public var traffic: [TrafficRow]
    /// Cohort months up to the period's month, months up to the period's month.
    public var cohorts: [CohortCell]
    /// Creatives with a row in the period.
    public var creatives: [CreativeCurve]
    /// The latest day in the project's `creative_daily`: the burnout windows end there, not at the period's end.
    public var creativesAsOf: LocalDate?
    /// Letters with any event in the period, with their totals.
    public var letters: [LetterRow]
    public var managers: [ManagerRow]
    public var chats: [ChatRow]
    public var community: [CommunityRow]
    /// Product × offer of the period against the previous period; a key with figures in either is a row.
    public var products: [ProductRow]
    /// Tags (launches, flows...) of the period against the previous period, likewise.
    public var tags: [TagRow]
    /// Campaigns of the period under first touch and deal attribution.
    public var attribution: [AttributionRow]
    /// Campaign and ad names of the project, shown beside ids.
    public var names: AdNames
    /// Courses with a `bi.learning_daily` row in the period: their all-time progress and the period's lessons.
    public var courses: [CourseRow]
    /// Webinars with first attendances in the period, with their all-time 7-day conversion.
    public var webinars: [WebinarRow]
    /// Retention cells of cohorts up to the period's month, months up to the period's month.
    public var retention: [RetentionCell]
    /// Every cohort's repeat purchases as they stand now (the view has no history), the NULL cohort first.
    public var repeatPurchases: [RepeatRow]

    public init(project: String, currency: String, period: ReportPeriod, generatedAt: Instant,
                totals: FunnelTotals = .zero, newUsers: Int = 0, previousTotals: FunnelTotals = .zero,
                previousNewUsers: Int = 0, daily: [DayTotals] = [], traffic: [TrafficRow] = [],
                cohorts: [CohortCell] = [], creatives: [CreativeCurve] = [], creativesAsOf: LocalDate? = nil,
                letters: [LetterRow] = [], managers: [ManagerRow] = [], chats: [ChatRow] = [],
                community: [CommunityRow] = [], products: [ProductRow] = [], tags: [TagRow] = [],
                attribution: [AttributionRow] = [], names: AdNames = .none, courses: [CourseRow] = [],
                webinars: [WebinarRow] = [], retention: [RetentionCell] = [], repeatPurchases: [RepeatRow] = []) {
        self.project = project
        self.currency = currency
        self.period = period
        self.generatedAt = generatedAt
        self.totals = totals
        self.newUsers = newUsers
        self.previousTotals = previousTotals
        self.previousNewUsers = previousNewUsers
        self.daily = daily
        self.traffic = traffic
        self.cohorts = cohorts
        self.creatives = creatives
        self.creativesAsOf = creativesAsOf
        self.letters = letters
        self.managers = managers
        self.chats = chats
        self.community = community
        self.products = products
        self.tags = tags
        self.attribution = attribution
        self.names = names
        self.courses = courses
        self.webinars = webinars
        self.retention = retention
        self.repeatPurchases = repeatPurchases
    }
}
