import Verification
import Foundation
import Testing
import Events

/// Tests of the oracle itself, on a tiny data set computed by hand.
@Suite struct OracleSelfTests {
    private static func event(_ id: String, _ type: String, _ at: String, _ data: String, project: String = "p") -> Event {
        let json = #"{"id":"\#(id)","type":"\#(type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
        do { return try Event.decode(json: json) } catch { fatalError("bad test event \(id): \(error)") }
    }

    /// Project `p`, Europe/Moscow (UTC+3), base RUB.
    static let events: [Event] = [
        // u1 registers on 03-10 through vk ...
        event("reg-2", "registration", "2026-03-10T10:00:00+03:00",
              #"{"user_id":"u1","utm":{"source":"vk","campaign":"c1","content":"a1"}}"#),
        // ... and a late, earlier registration through yandex moves everything of u1 to yandex_direct/c9/a9.
        event("reg-1", "registration", "2026-03-05T10:00:00+03:00",
              #"{"user_id":"u1","utm":{"source":"yandex","campaign":"c9","content":"a9"}}"#),
        // A redelivery of reg-2 with other content: the first occurrence wins.
        event("reg-2", "registration", "2026-01-01T10:00:00+03:00",
              #"{"user_id":"u1","utm":{"source":"google","campaign":"x","content":"y"}}"#),
        // A click at 23:30Z is 02:30 next day in Moscow.
        event("clk-1", "click", "2026-03-04T23:30:00Z",
              #"{"visitor_id":"v1","url":"https://school/l","utm":{"source":"facebook","campaign":"fc","content":"fa"}}"#),
        // Order o1: new on 03-10, paid on 03-11.
        event("ord-1-a", "order", "2026-03-10T12:00:00+03:00",
              #"{"order_id":"o1","user_id":"u1","status":"new","amount":"1000","currency":"RUB","manager_id":"m1","created_at":"2026-03-10T12:00:00+03:00"}"#),
        event("ord-1-b", "order", "2026-03-11T09:00:00+03:00",
              #"{"order_id":"o1","user_id":"u1","status":"paid","amount":"1000","currency":"RUB","manager_id":"m1","created_at":"2026-03-10T12:00:00+03:00"}"#),
        // Order o2 in EUR has no rate: dead-lettered, counts nowhere (u2 is no user).
        event("ord-2", "order", "2026-03-12T09:00:00+03:00",
              #"{"order_id":"o2","user_id":"u2","status":"new","amount":"5","currency":"EUR","created_at":"2026-03-12T09:00:00+03:00"}"#),
        // Payment pay1: 10 USD accepted on 03-11 (rate 90.1234 → 901.234 → 901.23),
        // refunded on 04-02 (rate of 04-01, 95.555 → 955.55).
        event("pay-1-a", "payment", "2026-03-11T09:00:00+03:00",
              #"{"payment_id":"pay1","order_id":"o1","user_id":"u1","amount":"10.00","currency":"USD","status":"accepted"}"#),
        event("pay-1-r", "payment", "2026-04-02T10:00:00+03:00",
              #"{"payment_id":"pay1","order_id":"o1","user_id":"u1","amount":"10.00","currency":"USD","status":"refunded"}"#),
        // A payment of u4 who never registered: NULL cohort, (unattributed); its order has no event.
        event("pay-2-a", "payment", "2026-04-15T12:00:00+03:00",
              #"{"payment_id":"pay2","order_id":"o9","user_id":"u4","amount":"100","currency":"RUB","status":"accepted"}"#),
        // ad_stats: account acc1 polled twice (the re-poll wins), account acc2 once; summed over accounts.
        event("ads-1", "ad_stats", "2026-03-10T23:00:00+03:00",
              #"{"network":"yandex_direct","account_id":"acc1","campaign_id":"c9","ad_id":"a9","day":"2026-03-10","impressions":100,"clicks":10,"cost":"500","currency":"RUB"}"#),
        event("ads-2", "ad_stats", "2026-03-11T08:00:00+03:00",
              #"{"network":"yandex_direct","account_id":"acc1","campaign_id":"c9","ad_id":"a9","day":"2026-03-10","impressions":120,"clicks":12,"cost":"600.50","currency":"RUB"}"#),
        event("ads-3", "ad_stats", "2026-03-11T08:00:00+03:00",
              #"{"network":"yandex_direct","account_id":"acc2","campaign_id":"c9","ad_id":"a9","day":"2026-03-10","impressions":5,"clicks":1,"cost":"10","currency":"RUB"}"#),
        // Mail: letter L1 sent, delivered, opened, clicked by u1 two days before pay1 → credited.
        event("m-1", "mail", "2026-03-08T10:00:00+03:00", #"{"letter_id":"L1","channel":"email","user_id":"u1","event":"sent"}"#),
        event("m-2", "mail", "2026-03-08T10:01:00+03:00", #"{"letter_id":"L1","channel":"email","user_id":"u1","event":"delivered"}"#),
        event("m-3", "mail", "2026-03-09T09:00:00+03:00", #"{"letter_id":"L1","channel":"email","user_id":"u1","event":"opened"}"#),
        event("m-4", "mail", "2026-03-09T10:00:00+03:00", #"{"letter_id":"L1","channel":"email","user_id":"u1","event":"clicked"}"#),
        event("m-5", "mail", "2026-03-09T11:00:00+03:00", #"{"letter_id":"L1","channel":"email","user_id":"u1","event":"opened"}"#),
        // An older click on another letter: not the latest before the payment, so no credit.
        event("m-6", "mail", "2026-03-01T10:00:00+03:00", #"{"letter_id":"L2","channel":"telegram","user_id":"u1","event":"clicked"}"#),
        // u3 writes in a chat on May 1st (Moscow): extends the project to 2026-05; NULL cohort.
        event("chat-1", "chat", "2026-04-30T21:30:00Z", #"{"chat_id":"ch","message_id":"1","user_id":"u3","kind":"message"}"#),
    ]

    static let rates: [(base: String, currency: String, day: LocalDate, rate: DecimalNumber)] = [
        ("RUB", "USD", LocalDate("2026-03-11")!, DecimalNumber("90.1234")!),
        ("RUB", "USD", LocalDate("2026-04-01")!, DecimalNumber("95.555")!),
    ]

    static let oracle = Oracle(events: events, rates: rates)

    private static func funnelRow(_ day: String, _ network: String, _ campaign: String, _ ad: String,
                                  impressions: Int = 0, adClicks: Int = 0, spend: String = "0", visits: Int = 0,
                                  registrations: Int = 0, orders: Int = 0, paidOrders: Int = 0, payments: Int = 0,
                                  revenue: String = "0", refunds: String = "0") -> Oracle.Row {
        [
            "project": "p", "day": day, "network": network, "campaign_id": campaign, "ad_id": ad,
            "impressions": String(impressions), "ad_clicks": String(adClicks), "spend": spend, "visits": String(visits),
            "registrations": String(registrations), "orders": String(orders), "paid_orders": String(paidOrders),
            "payments": String(payments), "revenue": revenue, "refunds": refunds,
        ]
    }

    @Test func deadLetteredAndDuplicates() {
        #expect(Self.oracle.deadLettered.map(\.id) == ["ord-2"])
        #expect(Self.oracle.applied.count == Self.events.count - 2)
    }

    @Test func funnelDaily() {
        let expected: [Oracle.Row] = [
            Self.funnelRow("2026-03-05", "meta", "fc", "fa", visits: 1),
            Self.funnelRow("2026-04-15", "(unattributed)", "", "", payments: 1, revenue: "100"),
            Self.funnelRow("2026-03-05", "yandex_direct", "c9", "a9", registrations: 1),
            Self.funnelRow("2026-03-10", "yandex_direct", "c9", "a9", impressions: 125, adClicks: 13, spend: "610.5",
                           registrations: 1, orders: 1),
            Self.funnelRow("2026-03-11", "yandex_direct", "c9", "a9", paidOrders: 1, payments: 1, revenue: "901.23"),
            Self.funnelRow("2026-04-02", "yandex_direct", "c9", "a9", refunds: "955.55"),
        ]
        let actual = Self.oracle.funnelDaily()
        #expect(actual.count == expected.count)
        let diffs = Oracle.compare(view: "funnel_daily", expected: expected, actual: actual, key: Oracle.keys["funnel_daily"]!)
        #expect(diffs.isEmpty, "\(diffs)")
    }

    @Test func cohortsMonthly() {
        func row(_ cohort: String?, _ month: String, _ since: String?, users: Int, payers: Int, payments: Int,
                 revenue: String, refunds: String, cumulative: String, ltv: String) -> Oracle.Row {
            [
                "project": "p", "cohort_month": cohort, "month": month, "months_since": since,
                "cohort_users": String(users), "payers": String(payers), "payments": String(payments),
                "revenue": revenue, "refunds": refunds, "cumulative_revenue": cumulative, "ltv": ltv,
            ]
        }
        let expected: [Oracle.Row] = [
            row("2026-03-01", "2026-03-01", "0", users: 1, payers: 1, payments: 1, revenue: "901.23", refunds: "0",
                cumulative: "901.23", ltv: "901.23"),
            row("2026-03-01", "2026-04-01", "1", users: 1, payers: 0, payments: 0, revenue: "0", refunds: "955.55",
                cumulative: "-54.32", ltv: "-54.32"),
            row("2026-03-01", "2026-05-01", "2", users: 1, payers: 0, payments: 0, revenue: "0", refunds: "0",
                cumulative: "-54.32", ltv: "-54.32"),
            row(nil, "2026-04-01", nil, users: 2, payers: 1, payments: 1, revenue: "100", refunds: "0",
                cumulative: "100", ltv: "50"),
            row(nil, "2026-05-01", nil, users: 2, payers: 0, payments: 0, revenue: "0", refunds: "0",
                cumulative: "100", ltv: "50"),
        ]
        let actual = Self.oracle.cohortsMonthly()
        #expect(actual.count == expected.count)
        let diffs = Oracle.compare(view: "cohorts_monthly", expected: expected, actual: actual, key: Oracle.keys["cohorts_monthly"]!)
        #expect(diffs.isEmpty, "\(diffs)")
    }

    @Test func mailLetters() {
        let expected: [Oracle.Row] = [
            [
                "project": "p", "channel": "email", "letter_id": "L1",
                "sent": "1", "delivered": "1", "opened": "2", "clicked": "1", "unsubscribed": "0", "bounced": "0", "spam": "0",
                "unique_opens": "1", "unique_clicks": "1",
                "delivery_rate": "1", "open_rate": "1", "click_rate": "1", "unsubscribe_rate": "0",
                "payers_after_click": "1", "revenue_after_click": "901.23",
            ],
            [
                "project": "p", "channel": "telegram", "letter_id": "L2",
                "sent": "0", "delivered": "0", "opened": "0", "clicked": "1", "unsubscribed": "0", "bounced": "0", "spam": "0",
                "unique_opens": "0", "unique_clicks": "1",
                "delivery_rate": nil, "open_rate": nil, "click_rate": nil, "unsubscribe_rate": nil,
                "payers_after_click": "0", "revenue_after_click": "0",
            ],
        ]
        let actual = Self.oracle.mailLetters()
        #expect(actual.count == expected.count)
        let diffs = Oracle.compare(view: "mail_letters", expected: expected, actual: actual, key: Oracle.keys["mail_letters"]!)
        #expect(diffs.isEmpty, "\(diffs)")
    }

    @Test func otherViewsSpotChecks() {
        let managers = Self.oracle.managersDaily()
        let m1 = managers.filter { $0["manager_id"] == "m1" }
        #expect(m1.count == 2)
        #expect(managers.contains { $0["manager_id"] == .some(nil) && $0["revenue"] == "100" && $0["conversion"] == .some(nil) })
        let overview = Self.oracle.overviewDaily()
        #expect(overview.first { $0["day"] == "2026-03-05" }?["new_users"] == "1")
        #expect(overview.first { $0["day"] == "2026-03-10" }?["new_users"] == "0")
        let community = Self.oracle.communityConversion()
        #expect(community.count == 3)  // 2026-03/false (u1), NULL/false (u4), NULL/true (u3)
        let burnout = Self.oracle.creativeBurnout()
        // Latest day 04-15: "new" needs first_day >= 04-02.
        #expect(burnout.map { $0["status"] } == ["new", "growing", "growing"].map { Optional($0) })  // (unattributed), meta, yandex
        let summary = Self.oracle.trafficSummary(project: "p", from: LocalDate("2026-03-01")!, to: LocalDate("2026-03-31")!)
        #expect(summary.first { $0["network"] == "yandex_direct" }?["npc"] == "0")
        let report = Self.oracle.trafficReport().first { $0["day"] == "2026-03-10" }!
        #expect(report["cpc"] == "46.961538")   // 610.5 / 13 = 46.9615384...
        #expect(report["ctr"] == "0.104")
        #expect(report["romi"] == "-100")
        #expect(report["drr"] == .some(nil))
    }

    @Test func normalizeAndCompare() {
        #expect(Oracle.normalize(column: "revenue", postgresText: "901.2300") == "901.23")
        #expect(Oracle.normalize(column: "revenue", postgresText: "-0.00") == "0")
        #expect(Oracle.normalize(column: "spend", postgresText: "600.") == "600")
        #expect(Oracle.normalize(column: "cpc", postgresText: "46.9615384615384615") == "46.961538")
        #expect(Oracle.normalize(column: "ltv", postgresText: "-0.00000049") == "0")
        #expect(Oracle.normalize(column: "romi", postgresText: "-12.34567850000000000000") == "-12.345679")
        #expect(Oracle.normalize(column: "cr_visit", postgresText: "0.99999950") == "1")
        #expect(Oracle.normalize(column: "campaign_id", postgresText: "007.50") == "007.50")
        #expect(Oracle.normalize(column: "chat_active", postgresText: "t") == "true")
        #expect(Oracle.normalize(column: "ltv", postgresText: nil) == nil)
        let key = ["project", "day"]
        let zero: Oracle.Row = ["project": "p", "day": "2026-01-01", "revenue": "0", "avg_check": nil]
        let one: Oracle.Row = ["project": "p", "day": "2026-01-02", "revenue": "1", "avg_check": nil]
        #expect(Oracle.compare(view: "x", expected: [zero], actual: [], key: key).isEmpty)
        #expect(Oracle.compare(view: "x", expected: [], actual: [zero], key: key).isEmpty)
        #expect(Oracle.compare(view: "x", expected: [one], actual: [], key: key).count == 1)
        var changed = one
        changed["revenue"] = "2"
        #expect(Oracle.compare(view: "x", expected: [one], actual: [changed], key: key).count == 1)
    }
}
