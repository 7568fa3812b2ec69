import Aggregation
import Events
import Foundation

/// Random but reproducible data sets that exercise every rule: late and tied registrations,
/// order and payment state changes, users changing, missing rates, re-polls, duplicates, and the
/// business dimensions changing between events of one order or ad (tags, offers, deal UTMs,
/// campaign and manager names renamed or sent empty).
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
    /// - Parameter newFields: false gives v1-shaped events (no order `offer`, `manager_name`, `tags`
    ///   or `utm`, no ad_stats names), to check that the outputs that predate those fields still
    ///   equal the oracle on data that never had them. The default keeps every existing seed's data.
    package mutating func dataSet(count: Int, newFields: Bool = true) -> DataSet {
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
        var deliveries = events
        for event in events where chance(15) { deliveries.append(event) }
        deliveries.shuffle(using: &random)
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
}
