import Aggregation
import Events
import Foundation

/// Random but reproducible data sets that exercise every rule: late and tied registrations,
/// order and payment state changes, users changing, missing rates, re-polls, duplicates, and the
/// business dimensions changing between events of one order or ad (tags, offers, deal UTMs,
/// campaign and manager names renamed or sent empty), and SPEC §4.12–4.14's engagement: Telegram
/// aliases linked late, twice or never seen, an alias paying on its own, learning of every kind over
/// courses of one to three lessons (and course-level events), payments around a learner's start and
/// around the 7 × 24 h edge of a webinar.
package struct RandomEvents {
    /// What a test produces and what the oracle is given.
    package struct DataSet {
        package var deliveries: [String]
        package var distinctInDeliveryOrder: [Event]
        package var rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)]
        package var projects: ProjectDirectory
        package var timeZones: [String: TimeZone]
        package var baseCurrencies: [String: String]

        /// The independent recomputation of every view from this data set's distinct events.
        package var oracle: Oracle {
            Oracle(events: distinctInDeliveryOrder, rates: rates, timeZones: timeZones, baseCurrencies: baseCurrencies)
        }
    }

    private var random: SeededGenerator

    package init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    package static let rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)] = [
        ("RUB", "USD", LocalDate("2026-01-10")!, DecimalNumber("90.5")!),
        ("RUB", "USD", LocalDate("2026-02-01")!, DecimalNumber("91.2345")!),
        ("RUB", "USD", LocalDate("2026-02-15")!, DecimalNumber("89.99")!),
        ("RUB", "EUR", LocalDate("2026-02-01")!, DecimalNumber("99.1")!),
        ("USD", "RUB", LocalDate("2026-01-01")!, DecimalNumber("0.011")!),
        ("USD", "EUR", LocalDate("2026-01-20")!, DecimalNumber("1.0831")!),
    ]

    package mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
    package mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    package mutating func number(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }

    /// An instant between 2026-01-05 and 2026-03-20, on a coarse grid so that ties happen.
    package mutating func instant() -> String {
        let day = LocalDate("2026-01-05")!.adding(days: number(0...74))
        return "\(day)T\(String(format: "%02d", pick([0, 5, 12, 20, 21, 23]))):\(pick(["00", "30"])):00\(pick(["Z", "+03:00", "-05:00"]))"
    }

    package mutating func utm() -> String {
        var parts: [String] = []
        if let source = pick(["yandex", "vk", "facebook", "google", "", "newsletter", nil] as [String?]) {
            parts.append("\"source\":\"\(source)\"")
        }
        if let campaign = pick(["c1", "c2", nil] as [String?]) { parts.append("\"campaign\":\"\(campaign)\"") }
        if let content = pick(["a1", "a2", "", nil] as [String?]) { parts.append("\"content\":\"\(content)\"") }
        return "{\(parts.joined(separator: ","))}"
    }

    /// An order's optional business fields (SPEC §2 v2): product, offer, tags (duplicates, kinds,
    /// values with ':' and none), the deal's own UTM (also empty ones, which leave the entry to decide).
    package mutating func businessDimensions() -> String {
        var parts: [String] = []
        if let product = pick(["course", "course", "intensive", "", nil] as [String?]) { parts.append(#""product":"\#(product)""#) }
        if let offer = pick(["basic", "vip", "", nil] as [String?]) { parts.append(#""offer":"\#(offer)""#) }
        if let tags = pick([#"["launch:2026-01","flow:1"]"#, #"["launch:2026-02","launch:2026-02","vip"]"#,
                            #"["launch:2026-01"]"#, #"[":vip","vip","a:b:c"]"#, "[]", nil] as [String?]) {
            parts.append(#""tags":\#(tags)"#)
        }
        if chance(30) { parts.append(#""utm":\#(utm())"#) }
        return parts.map { "," + $0 }.joined()
    }

    /// Names an ad_stats poll may carry; empty ones must not hide an earlier non-empty one.
    package mutating func adNames() -> String {
        var parts: [String] = []
        if let name = pick(["Search", "Search v2", "", nil] as [String?]) { parts.append(#""campaign_name":"\#(name)""#) }
        if let group = pick(["g1", "", nil] as [String?]) { parts.append(#""ad_group_id":"\#(group)""#) }
        if let group = pick(["Keywords", "Retargeting", nil] as [String?]) { parts.append(#""ad_group_name":"\#(group)""#) }
        if let name = pick(["Banner A", "", nil] as [String?]) { parts.append(#""ad_name":"\#(name)""#) }
        return parts.map { "," + $0 }.joined()
    }

    /// An order's optional fields as SPEC §2 had them before the business dimensions: `product` only.
    package mutating func productOnly() -> String {
        guard let product = pick(["course", "course", "intensive", "", nil] as [String?]) else { return "" }
        return #","product":"\#(product)""#
    }

    /// `count` random events, about 15 % of them delivered twice, shuffled across keys and topics.
    ///
    /// - Parameters:
    ///   - newFields: false gives v1-shaped events (no order `offer`, `manager_name`, `tags` or `utm`,
    ///     no ad_stats names), to check that the outputs that predate those fields still equal the
    ///     oracle on data that never had them.
    ///   - engagement: adds about `count / 4` identity, learning, alias chat and mail events and
    ///     payments (`engagementEvents`); nil follows `newFields` (v1-shaped data has none). The first
    ///     `count` events are the same as without them; only duplicates and delivery order change.
    package mutating func dataSet(count: Int, newFields: Bool = true, engagement: Bool? = nil) -> DataSet {
        var events: [String] = []
        for index in 0..<count {
            let project = pick(["alpha", "alpha", "beta"])
            let user = "u\(number(1...12))"
            // Ids of a few shapes, so ties on occurred_at are broken by code point, not by length.
            let id = pick(["e", "E", "é", "e-"]) + String(index * 7919 % 10007)
            let at = instant()
            let data: (type: String, body: String)
            switch number(0...99) {
            case 0..<14:
                data = ("click", #"{"visitor_id":"v\#(number(1...30))","url":"https://school.example/l","utm":\#(utm())}"#)
            case 14..<30:
                let funnel = pick([#","funnel":"webinar""#, #","funnel":"marathon""#, #","funnel":"""#, ""])
                data = ("registration", #"{"user_id":"\#(user)","utm":\#(utm())\#(funnel)}"#)
            case 30..<50:
                let order = number(1...8)
                var manager = pick([#","manager_id":"m1""#, #","manager_id":"m2""#, ""])
                if newFields {
                    manager += pick([#","manager_name":"Анна""#, #","manager_name":"Anna S.""#, #","manager_name":"""#, ""])
                }
                let dimensions = newFields ? businessDimensions() : productOnly()
                let owner = chance(85) ? "u\(order)" : user
                data = ("order", #"{"order_id":"o\#(order)","user_id":"\#(owner)","status":"\#(pick(["new", "in_work", "paid", "paid", "part_paid", "cancelled"]))","amount":"\#(order * 1000).00","currency":"\#(pick(["RUB", "RUB", "USD", "EUR"]))"\#(manager)\#(dimensions),"created_at":"\#(instant())"}"#)
            case 50..<70:
                let payment = number(1...10)
                let payer = chance(85) ? "u\(payment % 8 + 1)" : user
                let status = chance(70) ? "accepted" : "refunded"
                data = ("payment", #"{"payment_id":"pay\#(payment)","order_id":"o\#(payment % 8 + 1)","user_id":"\#(payer)","amount":"\#(payment * 199).\#(payment * 7 % 100)","currency":"\#(pick(["RUB", "USD", "EUR"]))","status":"\#(status)"}"#)
            case 70..<85:
                data = ("mail", #"{"letter_id":"L\#(number(1...3))","channel":"\#(pick(["email", "telegram"]))","user_id":"\#(user)","event":"\#(pick(["sent", "delivered", "opened", "clicked", "clicked", "unsubscribed", "bounced", "spam"]))"}"#)
            case 85..<93:
                data = ("chat", #"{"chat_id":"ch\#(number(1...2))","message_id":"\#(index)","user_id":"\#(user)","kind":"\#(pick(["message", "message", "join", "leave"]))"}"#)
            default:
                let day = LocalDate("2026-01-05")!.adding(days: number(0...70))
                data = ("ad_stats", #"{"network":"\#(pick(["yandex_direct", "vk_ads"]))","account_id":"acc\#(number(1...2))","campaign_id":"c\#(number(1...2))","ad_id":"a\#(number(1...2))","day":"\#(day)","impressions":\#(number(1...1000)),"clicks":\#(number(0...50)),"cost":"\#(number(0...900)).\#(number(10...99))","currency":"\#(pick(["RUB", "USD"]))"\#(newFields ? adNames() : "")}"#)
            }
            events.append(#"{"id":"\#(id)","type":"\#(data.type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(data.body)}"#)
        }
        var lateLinks: [String] = []
        if engagement ?? newFields {
            let extra = engagementEvents(count: max(40, count / 4), firstIndex: count)
            events += extra.events
            lateLinks = extra.lateLinks
        }
        var deliveries = events
        for event in events where chance(15) { deliveries.append(event) }
        deliveries.shuffle(using: &random)
        // Late links: produced after everything else, so a worker has applied their aliases' chat and
        // mail events (and the users' figures) before it learns who the alias is.
        var lateDeliveries = lateLinks
        for link in lateLinks where chance(30) { lateDeliveries.append(link) }
        deliveries += lateDeliveries.shuffled(using: &random)
        var seen = Set<String>()
        var distinct: [Event] = []
        for line in deliveries {
            let event = try! Event.decode(json: line)
            if seen.insert(event.id).inserted { distinct.append(event) }
        }
        let newYork = TimeZone(identifier: "America/New_York")!
        return DataSet(
            deliveries: deliveries, distinctInDeliveryOrder: distinct, rates: Self.rates,
            projects: ProjectDirectory(projects: ["beta": ProjectSettings(timeZone: newYork, baseCurrency: "USD")]),
            timeZones: ["beta": newYork], baseCurrencies: ["beta": "USD"])
    }

    /// The Telegram aliases of the engagement events: `tg:1`…`tg:6` write in chats and get mail;
    /// `tg:9` is only ever linked.
    package static let aliases = (1...6).map { "tg:\($0)" }

    /// The lessons of each course: a course of three, of two and of one lesson (so that some students
    /// complete it); webinars are lessons of their own.
    package static let courses: [String: [String]] = ["c-py": ["l1", "l2", "l3"], "c-sql": ["s1", "s2"], "c-design": ["d1"]]

    /// About `count` envelopes for SPEC §4.12–4.14, ids numbered from `firstIndex` so that they never
    /// collide with the other events; `lateLinks` are identity envelopes the caller delivers last.
    ///
    /// Per project, on top of the random ones, a fixed set guarantees the cases: `tg:1` linked to `u1`
    /// and later to `u2` (it follows `u1`) and writing in a chat on a day `u1` does, `tg:9` linked but
    /// never seen, `tg:2` paying for orders of its own, `tg:3` registered on its own and its link delivered late, `u20` active
    /// in January only (churned in February), `u1` completing c-design, and letter L9 whose unique opens
    /// and after-click credit depend on `tg:1`'s link.
    package mutating func engagementEvents(count: Int, firstIndex: Int) -> (events: [String], lateLinks: [String]) {
        var events: [String] = []
        var lateLinks: [String] = []
        var index = firstIndex
        func envelope(_ project: String, _ type: String, _ at: String, _ body: String) -> String {
            defer { index += 1 }
            let id = pick(["e", "E", "é", "e-"]) + String(index * 7919 % 10007)
            return #"{"id":"\#(id)","type":"\#(type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(body)}"#
        }
        func link(_ project: String, _ user: String, _ alias: String, _ at: String) -> String {
            envelope(project, "identity", at, #"{"user_id":"\#(user)","alias":"\#(alias)"}"#)
        }
        func payment(_ project: String, _ user: String, _ order: String, _ at: String, _ currency: String = "RUB") -> String {
            let amount = "\(number(1...40) * 50).\(number(10...99))"
            return envelope(project, "payment", at, #"{"payment_id":"pe\#(index)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"\#(currency)","status":"accepted"}"#)
        }
        for project in ["alpha", "beta"] {
            // Before any random instant, so no random link of tg:1 comes first.
            events.append(link(project, "u1", "tg:1", "2026-01-01T10:00:00Z"))
            events.append(link(project, "u2", "tg:1", "2026-02-20T10:00:00Z"))
            events.append(link(project, "u3", "tg:9", instant()))
            // Letter L9 is only ever here: tg:1 opens it a day before u1 does and clicks it 10 minutes
            // before u1 pays (no random instant falls in between): u1's open is a unique one only until
            // the link is read, and the payment is credited to L9 only once it is.
            events.append(envelope(project, "mail", "2026-02-11T10:00:00Z", #"{"letter_id":"L9","channel":"telegram","user_id":"tg:1","event":"opened"}"#))
            events.append(envelope(project, "mail", "2026-02-12T10:00:00Z", #"{"letter_id":"L9","channel":"telegram","user_id":"u1","event":"opened"}"#))
            events.append(envelope(project, "mail", "2026-02-13T10:05:00Z", #"{"letter_id":"L9","channel":"telegram","user_id":"tg:1","event":"clicked"}"#))
            events.append(payment(project, "u1", "o-l9", "2026-02-13T10:15:00Z"))
            // c-design has the one lesson d1 (webinars add none): u1 completes the course.
            events.append(envelope(project, "learning", "2026-02-14T10:00:00Z", #"{"user_id":"u1","course_id":"c-design","lesson_id":"d1","kind":"lesson_completed"}"#))
            // u20 registers and writes in January and never again: churned in February, however busy
            // the other users are.
            events.append(envelope(project, "registration", "2026-01-06T10:00:00Z", #"{"user_id":"u20","utm":{}}"#))
            events.append(envelope(project, "chat", "2026-01-07T10:00:00Z", #"{"chat_id":"ch2","message_id":"g\#(index)","user_id":"u20","kind":"message"}"#))
            // tg:1 and u1 write in one chat on one day: one active member once the link is read.
            events.append(envelope(project, "chat", "2026-02-10T09:00:00Z", #"{"chat_id":"ch1","message_id":"f\#(index)","user_id":"tg:1","kind":"message"}"#))
            events.append(envelope(project, "chat", "2026-02-10T10:00:00Z", #"{"chat_id":"ch1","message_id":"f\#(index)","user_id":"u1","kind":"message"}"#))
            events.append(payment(project, "tg:2", "ot1", instant()))
            events.append(payment(project, "tg:2", "ot2", instant()))
            lateLinks.append(link(project, "u4", "tg:3", instant()))
            // tg:3 registered on its own too: it stays a user (with a cohort) after the link, its chat
            // and mail events u4's.
            events.append(envelope(project, "registration", instant(), #"{"user_id":"tg:3","utm":{"source":"telegram"}}"#))
        }
        for _ in 0..<count {
            let project = pick(["alpha", "alpha", "beta"])
            let alias = pick(Self.aliases)
            switch number(0...99) {
            case 0..<35:
                // A learning event, now and then of an alias (no user of its own, never resolved).
                let user = chance(5) ? alias : "u\(number(1...12))"
                let course = pick(["c-py", "c-py", "c-sql", "c-design"])
                let kind = pick(["lesson_opened", "lesson_opened", "lesson_completed", "lesson_completed", "homework_submitted",
                                 "homework_accepted", "webinar_attended", "webinar_attended"])
                let lessons = kind == "webinar_attended" ? ["w1", "w2", Self.courses[course]![0]] : Self.courses[course]!
                let lesson = chance(12) ? "" : #","lesson_id":"\#(pick(lessons))""#
                // In UTC, so that a payment can be put at an exact distance after it.
                let day = LocalDate("2026-01-05")!.adding(days: number(0...70))
                let hour = pick([0, 5, 12, 20, 21, 23]), minute = pick([0, 30])
                let at = "\(day)T\(String(format: "%02d:%02d", hour, minute)):00Z"
                events.append(envelope(project, "learning", at, #"{"user_id":"\#(user)","course_id":"\#(course)"\#(lesson),"kind":"\#(kind)"}"#))
                if chance(35) {
                    // The same instant (not after), just after, a day, exactly 7 × 24 h (inside), 30 min
                    // more (outside), nine days: start and webinar windows from both sides.
                    let minutes = pick([0, 1, 24 * 60, 7 * 24 * 60, 7 * 24 * 60 + 30, 9 * 24 * 60])
                    let paidDay = day.adding(days: (hour * 60 + minute + minutes) / (24 * 60))
                    let rest = (hour * 60 + minute + minutes) % (24 * 60)
                    let order = pick(["o1", "o2", "o3", "oe\(index)"])
                    events.append(payment(project, user, order, "\(paidDay)T\(String(format: "%02d:%02d", rest / 60, rest % 60)):00Z"))
                }
            case 35..<50:
                let user = "u\(number(1...12))"
                let linked = chance(15) ? "tg:9" : alias
                let event = link(project, user, linked, instant())
                if chance(40) { lateLinks.append(event) } else { events.append(event) }
            case 50..<70:
                events.append(envelope(project, "chat", instant(), #"{"chat_id":"ch\#(number(1...2))","message_id":"e\#(index)","user_id":"\#(alias)","kind":"\#(pick(["message", "message", "join", "leave"]))"}"#))
            case 70..<90:
                events.append(envelope(project, "mail", instant(), #"{"letter_id":"L\#(number(1...3))","channel":"telegram","user_id":"\#(alias)","event":"\#(pick(["sent", "delivered", "opened", "clicked", "clicked"]))"}"#))
            default:
                // A linked user's own payment, for a second distinct order now and then.
                events.append(payment(project, "u\(number(1...12))", pick(["o1", "o5", "oe\(index)"]), instant()))
            }
        }
        return (events, lateLinks)
    }
}
