import Events
import Foundation
import SeededRandom

/// A demo school's month, generated from a seed: ads and their spend, visits, registrations,
/// orders and payments, mailings and community chats, in the SPEC §2 envelopes the worker consumes.
///
/// The data is built user by user (a visit leads to a registration, which may lead to an order,
/// a payment, a chat message, a click in a letter and a payment after it), so the views have
/// coherent stories to tell, and then written in the order a real pipeline would see it: by
/// `occurred_at`, with retried webhooks and some first registrations arriving after everything else.
struct DemoSchool {
    /// What to generate.
    struct Settings {
        var project = "demo-school"
        var year = 2026
        var month = 10
        var seed: UInt64 = 42
        /// Multiplies the traffic, hence every count that follows from it; the ads stay the same.
        var scale = 1.0
        var timeZone = TimeZone.projectDefault
        /// Share of events written twice, as a webhook retried after a lost answer.
        var duplicateShare = 0.03
        /// Share of ad-attributed users with an order whose first registration reaches the pipeline last.
        var lateRegistrationShare = 0.1
    }

    /// One ad of the demo and the fortune the generator plays out for it.
    struct Ad {
        /// How an ad's month goes, so the burnout view has each kind of story to show.
        enum Fortune { case steady, star, dud, burningOut, lateStarter }
        let network: String
        let utmSource: String
        let account: String
        let campaign: String
        let id: String
        let clicksPerDay: Double
        /// Rubles per click.
        let cpc: Double
        let ctr: Double
        let registrationRate: Double
        /// Multiplies the chance that the ad's users buy.
        let buyFactor: Double
        let fortune: Fortune
    }

    /// The demo's ads: 2 networks × 2 campaigns × 2–3 ads, with one star, one dud, one burning out
    /// in the last week and one started late in the month.
    static let ads: [Ad] = [
        Ad(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", campaign: "71230001", id: "15501",
           clicksPerDay: 13, cpc: 118, ctr: 0.021, registrationRate: 0.3, buyFactor: 2.0, fortune: .star),
        Ad(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", campaign: "71230001", id: "15502",
           clicksPerDay: 10, cpc: 131, ctr: 0.016, registrationRate: 0.17, buyFactor: 1.0, fortune: .steady),
        Ad(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", campaign: "71230001", id: "15503",
           clicksPerDay: 7, cpc: 149, ctr: 0.011, registrationRate: 0.07, buyFactor: 0, fortune: .dud),
        Ad(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", campaign: "71230002", id: "15601",
           clicksPerDay: 6, cpc: 84, ctr: 0.024, registrationRate: 0.22, buyFactor: 1.1, fortune: .steady),
        Ad(network: "yandex_direct", utmSource: "yandex", account: "yd-4410", campaign: "71230002", id: "15602",
           clicksPerDay: 5, cpc: 92, ctr: 0.019, registrationRate: 0.16, buyFactor: 0.9, fortune: .steady),
        Ad(network: "vk_ads", utmSource: "vk", account: "vk-88213", campaign: "vk-31001", id: "vk-9001",
           clicksPerDay: 12, cpc: 71, ctr: 0.014, registrationRate: 0.26, buyFactor: 1.8, fortune: .burningOut),
        Ad(network: "vk_ads", utmSource: "vk", account: "vk-88213", campaign: "vk-31001", id: "vk-9002",
           clicksPerDay: 9, cpc: 66, ctr: 0.012, registrationRate: 0.14, buyFactor: 0.8, fortune: .steady),
        Ad(network: "vk_ads", utmSource: "vk", account: "vk-88213", campaign: "vk-31002", id: "vk-9101",
           clicksPerDay: 8, cpc: 58, ctr: 0.013, registrationRate: 0.15, buyFactor: 0.9, fortune: .steady),
        Ad(network: "vk_ads", utmSource: "vk", account: "vk-88213", campaign: "vk-31002", id: "vk-9102",
           clicksPerDay: 6, cpc: 74, ctr: 0.010, registrationRate: 0.12, buyFactor: 0.7, fortune: .steady),
        Ad(network: "vk_ads", utmSource: "vk", account: "vk-88213", campaign: "vk-31002", id: "vk-9103",
           clicksPerDay: 9, cpc: 62, ctr: 0.015, registrationRate: 0.18, buyFactor: 1.0, fortune: .lateStarter),
    ]

    /// A mailing of the month: one letter on one channel, sent on a day at an hour.
    struct Letter {
        let id: String
        let channel: String
        let source: String
        let day: Int
        let hour: Int
        /// Whether a click may lead to a purchase (the invitation only brings people to the webinar).
        let sells: Bool
    }

    static let letters: [Letter] = [
        Letter(id: "oct-webinar-invite", channel: "email", source: "unisender", day: 6, hour: 10, sells: false),
        Letter(id: "oct-course-sale", channel: "email", source: "unisender", day: 14, hour: 12, sells: true),
        Letter(id: "oct-last-call", channel: "telegram", source: "telegram", day: 23, hour: 19, sells: true),
    ]

    /// A product of the school with its prices in rubles and dollars (foreign students pay in USD).
    struct Product {
        let name: String
        let rub: Int
        let usd: Int
        /// A cheap product is bought at checkout without a manager.
        let selfService: Bool
    }

    static let products: [Product] = [
        Product(name: "mini-course", rub: 990, usd: 11, selfService: true),
        Product(name: "course-basic", rub: 14_900, usd: 159, selfService: false),
        Product(name: "course-pro", rub: 34_900, usd: 369, selfService: false),
    ]

    static let webinarChat = "tg-webinar-oct"
    static let studentsChat = "tg-students"

    /// A registered user and what the generator decided about them.
    private struct User {
        let id: String
        let registeredAt: Int
        let ad: Int?
        let utm: UTM
        let visitorID: String?
        let telegramSubscriber: Bool
        var chatActive = false
        var paidCourse = false
        var orders = 0
        var firstRegistrationEvent = 0
    }

    /// An event waiting for its place in the file.
    private struct Pending {
        let at: Int
        let sequence: Int
        var late: Bool
        let event: Event
    }

    /// A chat event before its message id is known (ids are given in time order per chat).
    private struct ChatAction {
        let chat: String
        let at: Int
        let user: String
        let kind: ChatKind
    }

    let settings: Settings
    let days: Int
    private let monthStart: LocalDate
    private var random: SplitMix64
    private var pending: [Pending] = []
    private var chatActions: [ChatAction] = []
    private var users: [User] = []
    private var counters = (visitor: 0, user: 0, order: 0, payment: 0)

    init(settings: Settings) {
        self.settings = settings
        monthStart = LocalDate(year: settings.year, month: settings.month, day: 1)!
        let next = settings.month == 12
            ? LocalDate(year: settings.year + 1, month: 1, day: 1)! : LocalDate(year: settings.year, month: settings.month + 1, day: 1)!
        days = monthStart.days(to: next)
        random = SplitMix64(seed: settings.seed)
    }

    /// Seconds from the month's first local midnight to its end: nothing but ad polls happens after it.
    private var monthEnd: Int { days * 86_400 }
    /// The start of the last 7 days, when the burning-out ad stops selling.
    private var lastWeek: Int { (days - 7) * 86_400 }

    /// The month's events in file order, duplicates included, each valid as `pipeline produce` checks it.
    mutating func events() throws -> [Event] {
        generateTraffic()
        for index in users.indices { generateUserLife(index) }
        generateMail()
        generateChats()
        markLateRegistrations()

        let ordered = pending.sorted { ($0.late ? 1 : 0, $0.at, $0.sequence) < ($1.late ? 1 : 0, $1.at, $1.sequence) }
        var result: [Event] = []
        result.reserveCapacity(ordered.count + ordered.count / 20)
        // A retry lands a little later in the stream than the original, as a redelivered webhook does.
        var retries: [(due: Int, event: Event)] = []
        for (index, item) in ordered.enumerated() {
            try item.event.validate()
            result.append(item.event)
            if random.chance(settings.duplicateShare) {
                retries.append((index + random.int(1...40), item.event))
            }
            while let due = retries.firstIndex(where: { $0.due <= index }) {
                result.append(retries.remove(at: due).event)
            }
        }
        result.append(contentsOf: retries.map(\.event))
        return result
    }

    /// `currency,day,rate` lines for `pipeline fx import`: rubles per dollar for every day of the
    /// month and the last days of the previous one (so an early event always has a rate on or before it).
    func fxRatesCSV() -> String {
        var rng = SplitMix64(seed: settings.seed ^ 0x5553_4452_5542)
        var rate = 9_450 + Int(rng.next() % 300)  // hundredths of a ruble
        var lines = ["currency,day,rate"]
        for offset in -5..<days {
            rate += Int(rng.next() % 121) - 60
            let day = monthStart.adding(days: offset)
            let rateText = "\(rate / 100).\(String(format: "%02d", rate % 100))\(rng.next() % 100 / 10)\(rng.next() % 10)"
            lines.append("USD,\(day),\(rateText)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Traffic: spend, visits, registrations

    private mutating func generateTraffic() {
        for day in 0..<days {
            let date = monthStart.adding(days: day)
            // Mondays to Thursdays sell best; weekends bring fewer clicks.
            let weekday = (date.daysSinceEpoch + 3) % 7  // 0 = Monday
            let weekFactor = weekday >= 5 ? 0.75 : 1.05
            for (adIndex, ad) in Self.ads.enumerated() {
                if ad.fortune == .lateStarter && day < days - 12 { continue }
                let burning = ad.fortune == .burningOut && day * 86_400 >= lastWeek
                // The star's budget is raised through the month because it pays.
                let trend = ad.fortune == .star ? 0.8 + 0.5 * Double(day) / Double(days) : 1
                let clicks = random.poisson(ad.clicksPerDay * settings.scale * weekFactor * trend)
                // A burnt-out creative: people have seen it, so the click-through falls and the price rises.
                let ctr = ad.ctr * (burning ? 0.55 : 1) * random.uniform(0.85...1.15)
                let impressions = Int((Double(clicks) / ctr).rounded()) + random.int(0...40)
                let cpc = ad.cpc * (burning ? 1.4 : 1) * random.uniform(0.9...1.1)
                let cost = Int((Double(clicks) * cpc * 100).rounded())
                emitAdStats(ad, date: date, day: day, impressions: impressions, clicks: clicks, costKopecks: cost)

                for _ in 0..<clicks where random.chance(0.88) {  // some clickers never reach the landing page
                    let at = day * 86_400 + activeSecondOfDay()
                    let utm = UTM(source: ad.utmSource, medium: "cpc", campaign: ad.campaign, content: ad.id)
                    let clickIDs = ad.utmSource == "yandex" ? ["yclid": String(random.next() % 10_000_000_000)] : nil
                    let visitor = visit(at: at, url: "https://school.example/webinar", utm: utm, clickIDs: clickIDs)
                    let rate = burning ? 0.03 : ad.registrationRate
                    if random.chance(rate) {
                        register(at: at + random.int(90...2_400), ad: adIndex, utm: utm, visitor: visitor)
                    }
                }
            }
            // Organic visitors (search, bookmarks, word of mouth) carry no UTM tags.
            for _ in 0..<random.poisson(10 * settings.scale * weekFactor) {
                let at = day * 86_400 + activeSecondOfDay()
                let page = random.pick(["https://school.example/", "https://school.example/webinar", "https://school.example/blog/first-steps"])
                let visitor = visit(at: at, url: page, utm: UTM(), clickIDs: nil)
                if random.chance(0.15) { register(at: at + random.int(60...1_800), ad: nil, utm: UTM(), visitor: visitor) }
            }
            // Some sign up straight on the platform's form, with no tracked visit.
            for _ in 0..<random.poisson(2 * settings.scale) {
                register(at: day * 86_400 + activeSecondOfDay(), ad: nil, utm: UTM(), visitor: nil)
            }
        }
    }

    private mutating func emitAdStats(_ ad: Ad, date: LocalDate, day: Int, impressions: Int, clicks: Int, costKopecks: Int) {
        // The evening poll sees most of the day; the poll just before midnight revises it. Only the later counts.
        let polls: [(at: Int, share: Double)] = [(day * 86_400 + 22 * 3_600 + 30 * 60, random.uniform(0.9...0.97)),
                                                 (day * 86_400 + 23 * 3_600 + 55 * 60, 1)]
        for poll in polls {
            let stats = AdStats(
                network: ad.network, accountID: ad.account, campaignID: ad.campaign, adID: ad.id, day: date,
                impressions: Int64((Double(impressions) * poll.share).rounded()),
                clicks: Int64((Double(clicks) * poll.share).rounded()),
                cost: DecimalNumber(significand: Int128((Double(costKopecks) * poll.share).rounded()), scale: 2),
                currency: "RUB")
            let stamp = timestamp(poll.at)
            let pollTag = stamp.text.prefix(16).replacingOccurrences(of: ":", with: "")
            emit(id: "\(ad.network):ad_stats:\(ad.account):\(ad.campaign):\(ad.id):\(date):\(pollTag)",
                 source: ad.network, at: poll.at, .adStats(stats))
        }
    }

    private mutating func visit(at: Int, url: String, utm: UTM, clickIDs: [String: String]?) -> String {
        counters.visitor += 1
        let visitor = "v\(String(counters.visitor, radix: 16))\(String(random.next() % 0xFFFF, radix: 16))"
        var query: [String] = []
        if let source = utm.source { query.append("utm_source=\(source)") }
        if let medium = utm.medium { query.append("utm_medium=\(medium)") }
        if let campaign = utm.campaign { query.append("utm_campaign=\(campaign)") }
        if let content = utm.content { query.append("utm_content=\(content)") }
        let fullURL = query.isEmpty ? url : url + "?" + query.joined(separator: "&")
        emit(id: "tracker:click:\(visitor):1", source: "tracker", at: at,
             .click(Click(visitorID: visitor, url: fullURL, utm: utm, clickIDs: clickIDs)))
        return visitor
    }

    private mutating func register(at: Int, ad: Int?, utm: UTM, visitor: String?) {
        guard at < monthEnd else { return }
        counters.user += 1
        let userID = String(41_000_000 + counters.user * 7)
        // Stands in for a salted SHA-256 of the address: the producer never sends the address itself.
        let email = (0..<4).map { _ in String(format: "%016llx", random.next()) }.joined()
        emit(id: "getcourse:registration:\(userID):webinar-oct", source: "getcourse", at: at,
             .registration(Registration(userID: userID, visitorID: visitor, funnel: "webinar-oct", utm: utm,
                                        emailSHA256: email)))
        var user = User(id: userID, registeredAt: at, ad: ad, utm: utm, visitorID: visitor,
                        telegramSubscriber: random.chance(0.6))
        user.firstRegistrationEvent = pending.count - 1
        users.append(user)
    }

    // MARK: - A user's month: second registration, webinar chat, orders

    private mutating func generateUserLife(_ index: Int) {
        let user = users[index]
        // Some come back for the next funnel: a second registration, which never moves attribution.
        if random.chance(0.08) {
            let at = user.registeredAt + random.int(86_400...10 * 86_400)
            if at < monthEnd {
                emit(id: "getcourse:registration:\(user.id):marathon-oct", source: "getcourse", at: at,
                     .registration(Registration(userID: user.id, visitorID: user.visitorID, funnel: "marathon-oct", utm: UTM())))
            }
        }
        // The webinar chat: people who talk there buy more often.
        if random.chance(0.35) {
            let joined = user.registeredAt + random.int(300...5_400)
            chat(Self.webinarChat, at: joined, user: user.id, kind: .join)
            if random.chance(0.55) {
                users[index].chatActive = true
                for _ in 0..<random.int(1...8) {
                    chat(Self.webinarChat, at: joined + random.int(60...10 * 86_400), user: user.id, kind: .message)
                }
            }
            if random.chance(0.12) { chat(Self.webinarChat, at: joined + random.int(3_600...12 * 86_400), user: user.id, kind: .leave) }
        }
        let buyFactor = user.ad.map { Self.ads[$0].buyFactor } ?? 0.8
        let chance = 0.24 * buyFactor * (users[index].chatActive ? 1.7 : 1)
        if random.chance(chance) {
            let product = random.weighted([(Self.products[0], 0.3), (Self.products[1], 0.55), (Self.products[2], 0.15)])
            // Most buy at the webinar's sale, within hours of signing up; some think it over for days.
            let delay = random.chance(0.7) ? random.int(1_800...8 * 3_600) : random.int(8 * 3_600...4 * 86_400)
            placeOrder(userIndex: index, created: user.registeredAt + delay, product: product)
        }
    }

    /// One order's story: new, then (with a manager) in work, then paid or cancelled; a payment with
    /// each paid order, and now and then a refund. Anything that would happen after the month is left out.
    private mutating func placeOrder(userIndex: Int, created: Int, product: Product, fromMail: Bool = false) {
        guard created < monthEnd else { return }
        let user = users[userIndex]
        counters.order += 1
        users[userIndex].orders += 1
        let orderID = String(7_100_000 + counters.order * 3)
        let usd = random.chance(0.08)
        let amount = DecimalNumber(usd ? product.usd : product.rub)
        let currency = usd ? "USD" : "RUB"
        var sequence = 0
        func orderEvent(_ school: inout DemoSchool, _ status: OrderStatus, at: Int, manager: String?) {
            sequence += 1
            school.emit(id: "getcourse:order:\(orderID):\(status.rawValue):\(sequence)", source: "getcourse", at: at,
                        .order(Order(orderID: orderID, userID: user.id, status: status, amount: amount, currency: currency,
                                     product: product.name, managerID: manager, createdAt: school.timestamp(created).instant)))
        }
        orderEvent(&self, .new, at: created, manager: nil)

        let manager: String?
        var payAt: Int?
        var cancelAt: Int
        if product.selfService {
            manager = nil
            if random.chance(0.8) { payAt = created + random.int(180...1_200) }
            cancelAt = created + random.int(86_400...2 * 86_400)
        } else {
            manager = random.weighted([("m-anna", 0.5), ("m-boris", 0.4), (nil, 0.1)] as [(String?, Double)])
            var start = created
            if let manager {
                start = created + random.int(900...4 * 3_600)
                if start < monthEnd { orderEvent(&self, .inWork, at: start, manager: manager) }
            }
            // Anna closes more deals than Boris; an order nobody works on rarely pays by itself.
            let closeRate = switch manager ?? "" { case "m-anna": 0.62; case "m-boris": 0.42; default: 0.25 }
            if random.chance(fromMail ? min(1, closeRate * 1.3) : closeRate) {
                payAt = start + random.int(1_800...(fromMail ? 24 : 48) * 3_600)
            }
            cancelAt = start + random.int(86_400...5 * 86_400)
        }
        // The burning-out ad's users stop paying in its last week: that is what burnt out means.
        if let at = payAt, user.ad.map({ Self.ads[$0].fortune == .burningOut }) == true, at >= lastWeek { payAt = nil }
        if let at = payAt, at < monthEnd {
            counters.payment += 1
            let paymentID = String(2_900_000 + counters.payment * 11)
            let payment = Payment(paymentID: paymentID, orderID: orderID, userID: user.id, amount: amount,
                                  currency: currency, status: .accepted)
            emit(id: "getcourse:payment:\(paymentID):accepted", source: "getcourse", at: at, .payment(payment))
            orderEvent(&self, .paid, at: at + random.int(20...90), manager: manager)
            if !product.selfService {
                users[userIndex].paidCourse = true
                if random.chance(0.75) { joinStudentsChat(user.id, at: at + random.int(600...3 * 3_600)) }
            }
            // A few ask for their money back within the guarantee period.
            let refundAt = at + random.int(2 * 86_400...10 * 86_400)
            if random.chance(product.selfService ? 0.03 : 0.08), refundAt < monthEnd {
                var refund = payment
                refund.status = .refunded
                emit(id: "getcourse:payment:\(paymentID):refunded", source: "getcourse", at: refundAt, .payment(refund))
            }
        } else if cancelAt < monthEnd {
            orderEvent(&self, .cancelled, at: cancelAt, manager: manager)
        }
    }

    // MARK: - Mail

    private mutating func generateMail() {
        for letter in Self.letters where letter.day <= days {
            let sendAt = (letter.day - 1) * 86_400 + letter.hour * 3_600
            let recipients = users.indices.filter {
                users[$0].registeredAt < sendAt && (letter.channel != "telegram" || users[$0].telegramSubscriber)
            }
            for index in recipients {
                let userID = users[index].id
                let sent = sendAt + random.int(0...900)
                mail(letter, userID, .sent, at: sent)
                let bounceRate = letter.channel == "email" ? 0.04 : 0.02
                if random.chance(bounceRate) {
                    mail(letter, userID, .bounced, at: sent + random.int(5...120))
                    continue
                }
                let delivered = sent + random.int(2...60)
                mail(letter, userID, .delivered, at: delivered)
                if letter.channel == "email" && random.chance(0.003) { mail(letter, userID, .spam, at: delivered + random.int(600...86_400)) }
                guard random.chance(letter.channel == "email" ? 0.42 : 0.65) else { continue }
                let opened = delivered + random.int(120...36 * 3_600)
                mail(letter, userID, .opened, at: opened)
                if random.chance(0.25) { mail(letter, userID, .opened, at: opened + random.int(3_600...2 * 86_400), repeat: 2) }
                if random.chance(0.02) {
                    mail(letter, userID, .unsubscribed, at: opened + random.int(30...600))
                    continue
                }
                guard random.chance(0.22) else { continue }
                let clicked = opened + random.int(20...600)
                mail(letter, userID, .clicked, at: clicked)
                // A sale letter's click brings some buyers within days: the after-click revenue of the letter.
                let buyFactor = users[index].ad.map { Self.ads[$0].buyFactor } ?? 0.8
                if letter.sells, !users[index].paidCourse, random.chance(0.3 * buyFactor) {
                    placeOrder(userIndex: index, created: clicked + random.int(300...36 * 3_600),
                               product: random.chance(0.8) ? Self.products[1] : Self.products[2], fromMail: true)
                }
            }
        }
    }

    private mutating func mail(_ letter: Letter, _ user: String, _ event: MailEvent, at: Int, repeat count: Int = 1) {
        guard at < monthEnd else { return }
        emit(id: "\(letter.source):\(letter.channel):\(letter.id):\(user):\(event.rawValue):\(count)", source: letter.source, at: at,
             .mail(Mail(letterID: letter.id, channel: letter.channel, userID: user, event: event)))
    }

    // MARK: - Chats

    private mutating func joinStudentsChat(_ user: String, at joined: Int) {
        chat(Self.studentsChat, at: joined, user: user, kind: .join)
        for _ in 0..<random.int(2...12) {
            chat(Self.studentsChat, at: joined + random.int(120...14 * 86_400), user: user, kind: .message)
        }
        if random.chance(0.04) { chat(Self.studentsChat, at: joined + random.int(86_400...7 * 86_400), user: user, kind: .leave) }
    }

    private mutating func chat(_ chatID: String, at: Int, user: String, kind: ChatKind) {
        guard at < monthEnd else { return }
        chatActions.append(ChatAction(chat: chatID, at: at, user: user, kind: kind))
    }

    /// Telegram numbers a chat's messages (joins and leaves are service messages) in time order.
    private mutating func generateChats() {
        for chatID in [Self.webinarChat, Self.studentsChat] {
            let actions = chatActions.enumerated().filter { $0.element.chat == chatID }
                .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            for (number, action) in actions.map(\.element).enumerated() {
                let messageID = String(1_000 + number)
                emit(id: "telegram:\(chatID):\(messageID)", source: "telegram", at: action.at,
                     .chat(Chat(chatID: chatID, messageID: messageID, userID: action.user, kind: action.kind)))
            }
        }
    }

    /// Holds back the first registration of some ad-attributed buyers until the end of the file, as a
    /// platform whose registration webhook failed and was replayed later: their money must move to the ad.
    private mutating func markLateRegistrations() {
        for user in users where user.ad != nil && user.orders > 0 && random.chance(settings.lateRegistrationShare) {
            pending[user.firstRegistrationEvent].late = true
        }
    }

    // MARK: - Helpers

    private mutating func emit(id: String, source: String, at: Int, _ data: EventData) {
        let stamp = timestamp(at)
        pending.append(Pending(at: at, sequence: pending.count, late: false,
                               event: Event(id: id, project: settings.project, source: source, occurredAt: stamp.instant,
                                            occurredAtText: stamp.text, data: data)))
    }

    /// The instant `seconds` after the month's first local midnight, and its text with the local offset.
    func timestamp(_ seconds: Int) -> (instant: Instant, text: String) {
        let local = monthStart.daysSinceEpoch * 86_400 + seconds
        let guess = settings.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local)))
        let offset = settings.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - guess)))
        let (days, second) = local.quotientAndRemainder(dividingBy: 86_400)
        let date = LocalDate(daysSinceEpoch: days)
        let sign = offset < 0 ? "-" : "+"
        let text = String(format: "%@T%02d:%02d:%02d%@%02d:%02d", date.description, second / 3_600, second / 60 % 60, second % 60,
                          sign, abs(offset) / 3_600, abs(offset) / 60 % 60)
        return (Instant(microsecondsSinceEpoch: Int64(local - offset) * 1_000_000), text)
    }

    /// A second of the day, mostly in waking hours, when people click ads and read mail.
    private mutating func activeSecondOfDay() -> Int {
        random.chance(0.9) ? random.int(8 * 3_600...(24 * 3_600 - 1)) : random.int(0...(8 * 3_600 - 1))
    }
}


/// The demo draws from the shared seeded generator, so demo data is the same on every machine.
typealias SplitMix64 = SeededGenerator

extension SeededGenerator {
    /// Uniform in [0, 1), from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Uniform in the range; not `Int.random(in:using:)`, whose algorithm may differ between platforms.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        var left = unit() * items.reduce(0) { $0 + $1.1 }
        for (item, weight) in items {
            left -= weight
            if left < 0 { return item }
        }
        return items[items.count - 1].0
    }

    /// Poisson counts, so a day's clicks scatter around the mean as real traffic does (Knuth's method; means here are small).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 500 { return max(0, Int((mean + mean.squareRoot() * uniform(-1.7...1.7)).rounded())) }
        var count = 0
        var product = unit()
        let limit = exp(-mean)
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }
}
