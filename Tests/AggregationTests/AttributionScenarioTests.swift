import Aggregation
import Events
import Foundation
import Testing

// SPEC §3 (attribution) and §4.1 visits/registrations, §4.7 new_users, hand-computed.
// Project "p": Europe/Moscow = UTC+3, so 20:59:59Z is 23:59:59 local and 21:00:00Z is 00:00 next day.

@Suite("scenario: clicks and registrations")
struct AttributionScenarioTests {
    let yandex = attr("yandex_direct", "111", "222")

    @Test("a click is a visit on its local day under its own UTM attribution")
    func clicksCountVisits() {
        let events = [
            clickEvent("c1", at: "2026-03-01T20:59:59Z", source: "yandex", campaign: "111", content: "222"), // Mar 1 23:59:59
            clickEvent("c2", at: "2026-03-01T10:00:00+03:00", source: "yandex", campaign: "111", content: "222"), // Mar 1 10:00
            clickEvent("c3", at: "2026-03-01T21:00:00Z", source: "yandex", campaign: "111", content: "222"), // Mar 2 00:00
            clickEvent("c4", at: "2026-03-01T12:00:00Z"),                                        // no tags at all
            clickEvent("c5", at: "2026-03-01T12:00:00Z", source: "", campaign: "x", content: "y"), // empty source
            clickEvent("c6", at: "2026-03-01T12:00:00Z", source: "tiktok", campaign: "c7"),       // unmapped, no content
            clickEvent("c7", at: "2026-03-01T12:00:00Z", source: "vk", content: ""),              // empty content
            clickEvent("c8", at: "2026-03-01T12:00:00Z", source: "facebook", campaign: "", content: "ad9"),
            clickEvent("c9", at: "2026-03-01T12:00:00Z", source: "Yandex"),                       // mapping is exact: not "yandex"
            clickEvent("c10", at: "2026-03-01T12:00:00Z", source: "google", campaign: "g", content: "h"),
        ]
        let changes = Fixture.processor.process(events, state: BatchState())
        #expect(changes.rejected.isEmpty)
        #expect(changes.funnel == [
            fkey("2026-03-01", yandex): fm(visits: 2),                      // c1 (23:59:59 local) + c2 (10:00+03:00)
            fkey("2026-03-02", yandex): fm(visits: 1),                      // c3: 00:00 local, next day
            fkey("2026-03-01", attr("(none)")): fm(visits: 1),              // c4: missing source → (none), '' , ''
            fkey("2026-03-01", attr("(none)", "x", "y")): fm(visits: 1),    // c5: empty source → (none), tags kept
            fkey("2026-03-01", attr("tiktok", "c7")): fm(visits: 1),        // c6: unmapped source used as is; no content → ''
            fkey("2026-03-01", attr("vk_ads")): fm(visits: 1),              // c7: vk → vk_ads; empty content → ''
            fkey("2026-03-01", attr("meta", "", "ad9")): fm(visits: 1),     // c8: facebook → meta; empty campaign → ''
            fkey("2026-03-01", attr("Yandex")): fm(visits: 1),              // c9: "Yandex" is not in the mapping
            fkey("2026-03-01", attr("google_ads", "g", "h")): fm(visits: 1), // c10: google → google_ads
        ])
        // A click is not a user fact: no ledger, no users, no new users.
        #expect(changes.userDaily.isEmpty)
        #expect(changes.userMonthly.isEmpty)
        #expect(changes.newUsers.isEmpty)
        #expect(changes.usersSeen.isEmpty)
        #expect(changes.users.isEmpty)
        #expect(changes.lastDays == ["p": day("2026-03-02")]) // c3 is the latest local day
    }

    @Test("the source mapping is configuration")
    func customMapping() {
        let processor = BatchProcessor(projects: ProjectDirectory(),
                                       attributionRules: AttributionRules(sourceToNetwork: ["ya": "yandex_direct"]),
                                       rates: Fixture.rates)
        let changes = processor.process([
            clickEvent("c1", at: "2026-03-01T12:00:00Z", source: "ya", campaign: "1", content: "2"),
            clickEvent("c2", at: "2026-03-01T12:00:00Z", source: "yandex", campaign: "1", content: "2"),
        ], state: BatchState())
        #expect(changes.funnel == [
            fkey("2026-03-01", attr("yandex_direct", "1", "2")): fm(visits: 1), // ya → yandex_direct by the custom map
            fkey("2026-03-01", attr("yandex", "1", "2")): fm(visits: 1),        // yandex is unmapped here: as is
        ])
    }

    @Test("the first registration decides attribution; a second one counts under it; one new user")
    func secondRegistrationCountsUnderFirst() {
        let first = registrationEvent("reg-1", user: "u1", at: "2026-03-05T09:00:00Z", source: "yandex", campaign: "111", content: "222")
        let second = registrationEvent("reg-2", user: "u1", at: "2026-03-06T09:00:00Z", source: "vk", campaign: "9", content: "8")
        for batch in [[first, second], [second, first]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            #expect(changes.funnel == [
                fkey("2026-03-05", yandex): fm(registrations: 1), // reg-1, the first: its own tags
                fkey("2026-03-06", yandex): fm(registrations: 1), // reg-2 counts, but under the first's attribution (no vk row)
            ])
            #expect(changes.userDaily == [
                udkey("u1", "2026-03-05"): lm(registrations: 1),
                udkey("u1", "2026-03-06"): lm(registrations: 1),
            ])
            #expect(changes.newUsers == [pdkey("2026-03-05"): 1]) // the first registration's day only
            #expect(changes.userMonthly.isEmpty)                   // no money
            #expect(changes.users[user("u1")]?.firstRegistration ==
                    FirstRegistration(stamp: stamp("2026-03-05T09:00:00Z", "reg-1"), day: day("2026-03-05"), attribution: yandex))
            #expect(changes.usersSeen == [user("u1")])
        }
    }

    @Test("a later registration of a stored user counts under the stored attribution and changes no state")
    func laterRegistrationOfStoredUser() {
        var state = BatchState()
        state.users[user("u1")] = UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-03-05T09:00:00Z", "reg-1"), day: day("2026-03-05"), attribution: yandex))
        state.ledgers[user("u1")] = [day("2026-03-05"): lm(registrations: 1)]
        let changes = Fixture.processor.process([
            registrationEvent("reg-2", user: "u1", at: "2026-03-06T09:00:00Z", source: "vk", campaign: "9", content: "8"),
        ], state: state)
        #expect(changes.funnel == [fkey("2026-03-06", yandex): fm(registrations: 1)]) // stored attribution; no move
        #expect(changes.userDaily == [udkey("u1", "2026-03-06"): lm(registrations: 1)])
        #expect(changes.newUsers.isEmpty) // not a first registration
        #expect(changes.users.isEmpty)    // state unchanged
    }

    @Test("tied registrations: the smaller id is first")
    func tieGoesToSmallerID() {
        // Same instant written two ways (09:00Z = 12:00+03:00): a tie, broken by the smaller id "r-a".
        let b = registrationEvent("r-b", user: "u1", at: "2026-03-05T09:00:00Z", source: "vk", campaign: "v")
        let a = registrationEvent("r-a", user: "u1", at: "2026-03-05T12:00:00+03:00", source: "google", campaign: "g")
        for batch in [[a, b], [b, a]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            #expect(changes.funnel == [fkey("2026-03-05", attr("google_ads", "g")): fm(registrations: 2)]) // both under r-a's
            #expect(changes.newUsers == [pdkey("2026-03-05"): 1])
            #expect(changes.users[user("u1")]?.firstRegistration?.stamp.id == "r-a")
        }
    }

    @Test("ids compare by code point, not by Swift's canonical string order")
    func codePointTieBreak() {
        // "e\u{301}" (bytes 65 CC 81) and "é" (U+00E9, bytes C3 A9) are canonically equivalent, so Swift's
        // String ordering calls them equal; by code point (COLLATE "C") "e\u{301}" is the smaller, so it is first.
        let decomposed = registrationEvent("e\u{301}", user: "u1", at: "2026-03-05T09:00:00Z", source: "vk", campaign: "v")
        let precomposed = registrationEvent("\u{E9}", user: "u1", at: "2026-03-05T09:00:00Z", source: "google", campaign: "g")
        for batch in [[decomposed, precomposed], [precomposed, decomposed]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            #expect(changes.funnel == [fkey("2026-03-05", attr("vk_ads", "v")): fm(registrations: 2)])
            #expect(changes.users[user("u1")]?.firstRegistration?.attribution == attr("vk_ads", "v"))
        }
    }

    @Test("late first registration moves every stored ledger row from (unattributed)")
    func firstRegistrationAfterMoney() {
        let google = attr("google_ads", "g1", "a1")
        var state = BatchState()
        state.users[user("u2")] = UserState() // known (had orders/payments), never registered
        state.ledgers[user("u2")] = [
            day("2026-03-03"): lm(orders: 1),
            day("2026-03-04"): lm(paidOrders: 1, payments: 1, revenue: "1000.00"),
        ]
        let changes = Fixture.processor.process([
            registrationEvent("reg-u2", user: "u2", at: "2026-03-10T09:00:00Z", source: "google", campaign: "g1", content: "a1"),
            paymentEvent("pay-u2-2", payment: "p-2", user: "u2", status: "accepted", at: "2026-03-10T10:00:00Z", amount: "500"),
        ], state: state)
        #expect(changes.rejected.isEmpty)
        #expect(changes.funnel == [
            // stored rows leave (unattributed) ...
            fkey("2026-03-03", .unattributed): fm(orders: -1),
            fkey("2026-03-04", .unattributed): fm(paidOrders: -1, payments: -1, revenue: "-1000"),
            // ... and arrive at the new attribution, same days
            fkey("2026-03-03", google): fm(orders: 1),
            fkey("2026-03-04", google): fm(paidOrders: 1, payments: 1, revenue: "1000"),
            // the batch's own figures land at the new attribution directly: registration + 500 RUB (rate 1)
            fkey("2026-03-10", google): fm(registrations: 1, payments: 1, revenue: "500"),
        ])
        // The ledger is attribution-free: only the batch's own facts are added to it.
        #expect(changes.userDaily == [udkey("u2", "2026-03-10"): lm(registrations: 1, payments: 1, revenue: "500")])
        #expect(changes.userMonthly == [umkey("u2", "2026-03-01"): mm(payments: 1, revenue: "500")])
        #expect(changes.newUsers == [pdkey("2026-03-10"): 1])
        #expect(changes.users[user("u2")]?.firstRegistration?.attribution == google)
    }

    @Test("an earlier registration moves everything to its attribution and new_users to its day")
    func earlierRegistrationMovesHistory() {
        let vk = attr("vk_ads", "v1", "v2")
        let yandex = attr("yandex_direct", "y1", "y2")
        var state = BatchState()
        state.users[user("u3")] = UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-03-08T09:00:00Z", "reg-late"), day: day("2026-03-08"), attribution: vk))
        state.ledgers[user("u3")] = [
            day("2026-03-08"): lm(registrations: 1),
            day("2026-03-09"): lm(orders: 1),
            day("2026-04-02"): lm(payments: 1, revenue: "300", refunds: "100"),
        ]
        // 22:30Z on Mar 1 is 01:30 on Mar 2 in Moscow.
        let changes = Fixture.processor.process([
            registrationEvent("reg-early", user: "u3", at: "2026-03-01T22:30:00Z", source: "yandex", campaign: "y1", content: "y2"),
        ], state: state)
        #expect(changes.funnel == [
            fkey("2026-03-08", vk): fm(registrations: -1),
            fkey("2026-03-09", vk): fm(orders: -1),
            fkey("2026-04-02", vk): fm(payments: -1, revenue: "-300", refunds: "-100"),
            fkey("2026-03-08", yandex): fm(registrations: 1), // the old first registration still counts, now under yandex
            fkey("2026-03-09", yandex): fm(orders: 1),
            fkey("2026-04-02", yandex): fm(payments: 1, revenue: "300", refunds: "100"),
            fkey("2026-03-02", yandex): fm(registrations: 1), // the new one, on its local day
        ])
        #expect(changes.newUsers == [pdkey("2026-03-08"): -1, pdkey("2026-03-02"): 1])
        #expect(changes.userDaily == [udkey("u3", "2026-03-02"): lm(registrations: 1)])
        #expect(changes.userMonthly.isEmpty)
        #expect(changes.users[user("u3")]?.firstRegistration ==
                FirstRegistration(stamp: stamp("2026-03-01T22:30:00Z", "reg-early"), day: day("2026-03-02"), attribution: yandex))
    }

    @Test("an earlier registration with the same attribution moves only new_users")
    func earlierRegistrationSameAttribution() {
        let yandex = attr("yandex_direct", "y1", "y2")
        var state = BatchState()
        state.users[user("u4")] = UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-03-08T09:00:00Z", "reg-late"), day: day("2026-03-08"), attribution: yandex))
        state.ledgers[user("u4")] = [day("2026-03-08"): lm(registrations: 1)]
        let changes = Fixture.processor.process([
            registrationEvent("reg-early", user: "u4", at: "2026-03-02T09:00:00Z", source: "yandex", campaign: "y1", content: "y2"),
        ], state: state)
        #expect(changes.funnel == [fkey("2026-03-02", yandex): fm(registrations: 1)]) // nothing moves
        #expect(changes.newUsers == [pdkey("2026-03-08"): -1, pdkey("2026-03-02"): 1])
    }
}
