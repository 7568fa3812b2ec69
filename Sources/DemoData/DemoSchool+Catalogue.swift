import Events

// What the school sells and where it advertises: the fixed cast of every demo month.
extension DemoSchool {
    /// An ad network's campaign, with the name its statistics report.
    package struct Campaign: Sendable {
        package let network: String
        package let utmSource: String
        package let account: String
        package let id: String
        package let name: String
        /// The name from the period's middle day on: the marketer renamed it, and `bi.ads` must show the
        /// latest name (SPEC §4.11), whatever the earlier statistics said.
        package let renamedTo: String?
    }

    /// One ad of the demo and the fortune the generator plays out for it.
    package struct Ad: Sendable {
        /// How an ad's month goes, so the burnout view has each kind of story to show.
        package enum Fortune: Sendable {
            case steady, dud
            /// Scripted last two weeks: its profit grows (`growing`).
            case star
            /// Scripted last two weeks: still profitable, but less than half of the week before (`stagnating`).
            case fading
            /// Its buyers stop paying in the last eight days while it keeps spending (`burnt_out`).
            case burningOut
            /// Starts ten days before the end (`new`).
            case lateStarter
        }
        package let campaign: Campaign
        package let groupID: String
        package let groupName: String
        package let id: String
        package let name: String
        let clicksPerDay: Double
        /// Rubles per click.
        let cpc: Double
        let ctr: Double
        let registrationRate: Double
        /// Multiplies the chance that the ad's users buy.
        let buyFactor: Double
        package let fortune: Fortune
        /// A network spends a daily budget to the kopeck: the scripted ads' spend is exactly this, in rubles.
        let dailyBudget: Int?
    }

    static let searchCampaign = Campaign(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", id: "71230001",
                                         name: "Search: webinar", renamedTo: "Search: webinar (max conversions)")
    static let networkCampaign = Campaign(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", id: "71230002",
                                          name: "YAN: lookalike", renamedTo: nil)
    static let feedCampaign = Campaign(network: "vk_ads", utmSource: "vk", account: "vk-88213", id: "vk-31001",
                                       name: "VK feed: webinar", renamedTo: nil)
    static let retargetingCampaign = Campaign(network: "vk_ads", utmSource: "vk", account: "vk-88213", id: "vk-31002",
                                              name: "VK retargeting: marathon", renamedTo: nil)

    /// The demo's ads: 2 networks × 2 campaigns × 2–3 ads, one of each scripted fortune.
    package static let ads: [Ad] = [
        Ad(campaign: searchCampaign, groupID: "5550101", groupName: "Keywords: online course", id: "15501",
           name: "Teacher's story", clicksPerDay: 13, cpc: 118, ctr: 0.021, registrationRate: 0.3, buyFactor: 2.0,
           fortune: .star, dailyBudget: 2_000),
        Ad(campaign: searchCampaign, groupID: "5550101", groupName: "Keywords: online course", id: "15502",
           name: "Price and program", clicksPerDay: 10, cpc: 131, ctr: 0.016, registrationRate: 0.17, buyFactor: 1.0,
           fortune: .steady, dailyBudget: nil),
        Ad(campaign: searchCampaign, groupID: "5550102", groupName: "Keywords: free webinar", id: "15503",
           name: "Free webinar tonight", clicksPerDay: 7, cpc: 149, ctr: 0.011, registrationRate: 0.07, buyFactor: 0,
           fortune: .dud, dailyBudget: nil),
        Ad(campaign: networkCampaign, groupID: "5550201", groupName: "Lookalike: students", id: "15601",
           name: "Student results", clicksPerDay: 6, cpc: 84, ctr: 0.024, registrationRate: 0.22, buyFactor: 1.1,
           fortune: .fading, dailyBudget: 1_500),
        Ad(campaign: networkCampaign, groupID: "5550201", groupName: "Lookalike: students", id: "15602",
           name: "Checklist download", clicksPerDay: 5, cpc: 92, ctr: 0.019, registrationRate: 0.16, buyFactor: 0.9,
           fortune: .steady, dailyBudget: nil),
        Ad(campaign: feedCampaign, groupID: "vk-g-501", groupName: "Interests: career change", id: "vk-9001",
           name: "Video: a day of a designer", clicksPerDay: 12, cpc: 71, ctr: 0.014, registrationRate: 0.26, buyFactor: 1.8,
           fortune: .burningOut, dailyBudget: nil),
        Ad(campaign: feedCampaign, groupID: "vk-g-501", groupName: "Interests: career change", id: "vk-9002",
           name: "Carousel: portfolio", clicksPerDay: 9, cpc: 66, ctr: 0.012, registrationRate: 0.14, buyFactor: 0.8,
           fortune: .steady, dailyBudget: nil),
        Ad(campaign: retargetingCampaign, groupID: "vk-g-602", groupName: "Visited the webinar page", id: "vk-9101",
           name: "You were at the webinar", clicksPerDay: 8, cpc: 58, ctr: 0.013, registrationRate: 0.15, buyFactor: 0.9,
           fortune: .steady, dailyBudget: nil),
        Ad(campaign: retargetingCampaign, groupID: "vk-g-602", groupName: "Visited the webinar page", id: "vk-9102",
           name: "Marathon starts Monday", clicksPerDay: 6, cpc: 74, ctr: 0.010, registrationRate: 0.12, buyFactor: 0.7,
           fortune: .steady, dailyBudget: nil),
        Ad(campaign: retargetingCampaign, groupID: "vk-g-603", groupName: "Registered, did not buy", id: "vk-9103",
           name: "Last seats", clicksPerDay: 9, cpc: 62, ctr: 0.015, registrationRate: 0.18, buyFactor: 1.0,
           fortune: .lateStarter, dailyBudget: nil),
    ]

    /// The index in `ads` of the one ad with `fortune`.
    static func adIndex(_ fortune: Ad.Fortune) -> Int { ads.firstIndex { $0.fortune == fortune }! }

    /// The retargeting ad that brings registered users back for the marathon: their later orders enter
    /// through it, so deal attribution credits it where first touch credits the ad that found them.
    static let marathonAd = ads.firstIndex { $0.id == "vk-9102" }!

    /// A mailing of the month: one letter on one channel, sent on a day (0-based in the period) at an hour.
    struct Letter {
        let id: String
        let channel: String
        let source: String
        let day: Int
        let hour: Int
        /// Whether a click may lead to a purchase (the invitation only brings people to the webinar).
        let sells: Bool
        /// The deal UTM the platform stores on an order placed from the letter's link (SPEC §3's deal attribution).
        var dealUTM: UTM { UTM(source: channel, medium: "newsletter", campaign: id) }
    }

    static let letters: [Letter] = [
        Letter(id: "webinar-invite", channel: "email", source: "unisender", day: 5, hour: 10, sells: false),
        Letter(id: "course-sale", channel: "email", source: "unisender", day: 13, hour: 12, sells: true),
        Letter(id: "last-call", channel: "telegram", source: "telegram", day: 22, hour: 19, sells: true),
    ]

    /// A tariff of a product, with its prices in rubles and dollars (foreign students pay in USD).
    struct Offer {
        let name: String
        let rub: Int
        let usd: Int
        let weight: Double
    }

    /// A product of the school and its tariffs.
    struct Product {
        let name: String
        let offers: [Offer]
        /// A cheap product is bought at checkout without a manager.
        let selfService: Bool
        /// A course runs in flows (cohorts of students starting together), tagged `flow:<number>`.
        let hasFlows: Bool
    }

    static let miniCourse = Product(name: "mini-course", offers: [Offer(name: "self-study", rub: 990, usd: 11, weight: 1)],
                                    selfService: true, hasFlows: false)
    static let courseBasic = Product(name: "course-basic", offers: [
        Offer(name: "standard", rub: 14_900, usd: 159, weight: 0.7),
        Offer(name: "with-curator", rub: 24_900, usd: 265, weight: 0.3),
    ], selfService: false, hasFlows: true)
    static let coursePro = Product(name: "course-pro", offers: [
        Offer(name: "pro", rub: 34_900, usd: 369, weight: 0.75),
        Offer(name: "vip", rub: 59_900, usd: 639, weight: 0.25),
    ], selfService: false, hasFlows: true)

    /// The sales team: ids as the platform gives them, names as it shows them (staff, SPEC §4.11).
    static let managers: [String: String] = ["m-anna": "Anna Smirnova", "m-boris": "Boris Kuznetsov"]

    /// Registration funnels (the platform's forms): the webinar, a lead magnet, and the marathon that
    /// retargeting brings registered users back to.
    static let webinarFunnel = "webinar"
    static let leadMagnetFunnel = "checklist"
    static let marathonFunnel = "marathon"

    static let webinarChat = "tg-webinar"
    static let studentsChat = "tg-students"
}
