import Aggregation
import Events
import Foundation
import Testing

// SPEC §4: the aggregates equal a full recomputation from the set of distinct events, whatever the
// arrival order. One mixed scenario, computed by hand, then fed as one batch and as several batches in
// other orders, each batch getting the state the previous ones stored (MemoryStore).

@Suite("scenario: order independence")
struct OrderIndependenceScenarioTests {
    static let events: [Event] = [
        /* 0 */ clickEvent("c-1", at: "2026-03-01T06:00:00Z", source: "yandex", campaign: "y1", content: "y2"),
        /* 1 */ registrationEvent("r-1", user: "u1", at: "2026-03-05T06:00:00Z", source: "vk", campaign: "v1", content: "v2"),
        /* 2 */ registrationEvent("r-2", user: "u1", at: "2026-03-03T06:00:00Z", source: "google", campaign: "g1", content: "g2"),
        /* 3 */ orderEvent("o-1", order: "o1", user: "u1", status: "new", at: "2026-03-02T06:00:00Z", createdAt: "2026-03-02T05:00:00Z"),
        /* 4 */ orderEvent("o-2", order: "o1", user: "u1", status: "paid", at: "2026-03-04T06:00:00Z", createdAt: "2026-03-02T05:00:00Z"),
        /* 5 */ paymentEvent("p-1", payment: "pay1", order: "o1", user: "u1", status: "accepted", at: "2026-03-04T07:00:00Z",
                             amount: "10.01", currency: "USD"),
        /* 6 */ paymentEvent("p-2", payment: "pay1", order: "o1", user: "u1", status: "refunded", at: "2026-03-09T21:00:00Z",
                             amount: "10.01", currency: "USD"),
        /* 7 */ paymentEvent("p-3", payment: "pay2", user: "u2", status: "accepted", at: "2026-03-06T06:00:00Z", amount: "500"),
        /* 8 */ registrationEvent("r-3", user: "u2", at: "2026-03-07T06:00:00Z"),
        /* 9 */ adStatsEvent("s-1", at: "2026-03-02T06:00:00Z", campaign: "y1", ad: "y2", day: "2026-03-01",
                             impressions: 1000, clicks: 40, cost: "2000"),
        /* 10 */ adStatsEvent("s-2", at: "2026-03-03T06:00:00Z", campaign: "y1", ad: "y2", day: "2026-03-01",
                              impressions: 1100, clicks: 44, cost: "2200.50"),
        /* 11 */ orderEvent("o-3", order: "o2", user: "u2", status: "new", at: "2026-03-06T06:00:00Z", createdAt: "2026-03-06T05:00:00Z"),
        /* 12 */ orderEvent("o-4", order: "o2", user: "u1", status: "in_work", at: "2026-03-08T06:00:00Z", createdAt: "2026-03-06T05:00:00Z"),
        /* 13 */ registrationEvent("r-4", user: "u3", at: "2026-04-01T06:00:00Z", source: "facebook", campaign: "f1", content: "f2"),
        /* 14 */ paymentEvent("p-4", payment: "pay3", user: "u3", status: "accepted", at: "2026-04-02T06:00:00Z",
                              amount: "1.00", currency: "EUR"),
        /* 15 */ mailEvent("m-1", letter: "L1", user: "u1", kind: "clicked", at: "2026-03-04T06:30:00Z"),
        /* 16 */ chatEvent("k-1", chat: "c1", user: "u2", kind: "message", at: "2026-03-06T07:00:00Z"),
    ]

    // The hand-computed truth.
    // u1: first registration r-2 (Mar 3, google) → (google_ads, g1, g2). r-1 (Mar 5) counts there too.
    //     o1: latest o-2 paid; created 05:00Z Mar 2 = 08:00 Mar 2; became paid o-2 Mar 4.
    //     o2: latest o-4 is u1's; created 05:00Z Mar 6 = 08:00 Mar 6 (u2 keeps nothing of it).
    //     pay1: accepted Mar 4 at USD 90: 10.01 × 90 = 900.90; refunded 21:00Z Mar 9 = 00:00 Mar 10, USD 95.5:
    //           10.01 × 95.5 = 955.955 → 955.96.
    // u2: first registration r-3 (Mar 7, no tags) → ((none), '', ''); pay2 500 RUB on Mar 6.
    // u3: r-4 (Apr 1) → (meta, f1, f2); pay3 1.00 EUR × 100.125 = 100.125 → 100.13 on Apr 2.
    // Ad (yandex_direct, y1, y2) day Mar 1: latest poll s-2 → 1100 / 44 / 2200.50; plus the click c-1's visit.
    static let google = attr("google_ads", "g1", "g2")
    static let none = attr("(none)")
    static let meta = attr("meta", "f1", "f2")
    static let yandex = attr("yandex_direct", "y1", "y2")

    static let expectedFunnel: [FunnelKey: FunnelMeasures] = [
        fkey("2026-03-01", yandex): fm(impressions: 1100, adClicks: 44, spend: "2200.50", visits: 1),
        fkey("2026-03-02", google): fm(orders: 1),                                       // o1
        fkey("2026-03-03", google): fm(registrations: 1),                                // r-2
        fkey("2026-03-04", google): fm(paidOrders: 1, payments: 1, revenue: "900.90"),   // o1 paid; pay1
        fkey("2026-03-05", google): fm(registrations: 1),                                // r-1
        fkey("2026-03-06", google): fm(orders: 1),                                       // o2 (now u1's)
        fkey("2026-03-10", google): fm(refunds: "955.96"),                               // pay1 refund
        fkey("2026-03-06", none): fm(payments: 1, revenue: "500"),                       // pay2
        fkey("2026-03-07", none): fm(registrations: 1),                                  // r-3
        fkey("2026-04-01", meta): fm(registrations: 1),                                  // r-4
        fkey("2026-04-02", meta): fm(payments: 1, revenue: "100.13"),                    // pay3
    ]
    static let expectedUserDaily: [UserDayKey: LedgerMeasures] = [
        udkey("u1", "2026-03-02"): lm(orders: 1),
        udkey("u1", "2026-03-03"): lm(registrations: 1),
        udkey("u1", "2026-03-04"): lm(paidOrders: 1, payments: 1, revenue: "900.90"),
        udkey("u1", "2026-03-05"): lm(registrations: 1),
        udkey("u1", "2026-03-06"): lm(orders: 1),
        udkey("u1", "2026-03-10"): lm(refunds: "955.96"),
        udkey("u2", "2026-03-06"): lm(payments: 1, revenue: "500"),
        udkey("u2", "2026-03-07"): lm(registrations: 1),
        udkey("u3", "2026-04-01"): lm(registrations: 1),
        udkey("u3", "2026-04-02"): lm(payments: 1, revenue: "100.13"),
    ]
    static let expectedUserMonthly: [UserMonthKey: MonthMoney] = [
        umkey("u1", "2026-03-01"): mm(payments: 1, revenue: "900.90", refunds: "955.96"),
        umkey("u2", "2026-03-01"): mm(payments: 1, revenue: "500"),
        umkey("u3", "2026-04-01"): mm(payments: 1, revenue: "100.13"),
    ]
    static let expectedNewUsers: [ProjectDayKey: Int64] = [
        pdkey("2026-03-03"): 1, // u1 (r-2)
        pdkey("2026-03-07"): 1, // u2 (r-3)
        pdkey("2026-04-01"): 1, // u3 (r-4)
    ]

    static func batches(_ groups: [[Int]]) -> [[Event]] { groups.map { $0.map { events[$0] } } }

    static let runs: [(String, [[Int]])] = [
        ("one batch", [Array(0..<17)]),
        ("two batches, second half first, each reversed", [Array((8..<17).reversed()), Array((0..<8).reversed())]),
        ("two batches interleaved", [[1, 3, 5, 7, 9, 11, 13, 15], [16, 14, 12, 10, 8, 6, 4, 2, 0]]),
        ("one event per batch, in order", (0..<17).map { [$0] }),
        ("one event per batch, reversed", (0..<17).reversed().map { [$0] }),
        ("three batches: money first, then late registrations",
         [[3, 4, 5, 6, 7, 11, 12, 14, 16], [1, 9, 10, 0, 15], [2, 8, 13]]),
    ]

    @Test("the same sums whatever the batching and order", arguments: 0..<6)
    func sameSums(run: Int) {
        let (name, groups) = Self.runs[run]
        let store = MemoryStore.run(Self.batches(groups))
        #expect(store.rejectedIDs.isEmpty, "\(name)")
        #expect(nonZero(store.funnel) == Self.expectedFunnel, "\(name)")
        #expect(nonZero(store.userDaily) == Self.expectedUserDaily, "\(name)")
        #expect(nonZero(store.userMonthly) == Self.expectedUserMonthly, "\(name)")
        #expect(nonZero(store.newUsers) == Self.expectedNewUsers, "\(name)")
        // Entity states end the same too.
        #expect(store.users[user("u1")]?.firstRegistration?.attribution == Self.google, "\(name)")
        #expect(store.chatActive.contains(user("u2")), "\(name)")
        #expect(store.orders[entity("o2")]?.userID == "u1", "\(name)")
        #expect(store.orders[entity("o1")]?.paidDay == day("2026-03-04"), "\(name)")
        #expect(store.payments[entity("pay1")]?.latest.status == .refunded, "\(name)")
    }
}
