import Aggregation
import Events
import Testing

/// Which stored state a batch reads: the users it locks and the ledgers it may move.
@Suite("Batch requirements")
struct BatchRequirementsTests {
    @Test("users are locked for registrations, orders, payments; not for mail, chat, identity or learning")
    func lockedUsers() {
        let needs = BatchRequirements([
            registrationEvent("r1", user: "uR", at: "2026-03-01T10:00:00Z"),
            orderEvent("o1", order: "o1", user: "uO", status: "new", at: "2026-03-01T10:00:00Z",
                       createdAt: "2026-03-01T10:00:00Z"),
            paymentEvent("p1", payment: "p1", user: "uP", status: "accepted", at: "2026-03-01T10:00:00Z", amount: "10"),
            mailEvent("m1", letter: "L1", user: "uClick", kind: "clicked", at: "2026-03-01T10:00:00Z"),
            mailEvent("m2", letter: "L1", user: "uOpen", kind: "opened", at: "2026-03-01T10:00:00Z"),
            mailEvent("m3", letter: "L1", user: "uSent", kind: "sent", at: "2026-03-01T10:00:00Z"),
            chatEvent("c1", chat: "chat", user: "uChat", kind: "message", at: "2026-03-01T10:00:00Z"),
            clickEvent("k1", at: "2026-03-01T10:00:00Z"),
        ])
        // A click's after-click credit and an alias's link are read where BI reads (SPEC §4.12).
        #expect(needs.eventUsers == [user("uR"), user("uO"), user("uP")])
        #expect(needs.orders == [entity("o1")])
        #expect(needs.payments == [entity("p1")])
    }

    @Test("the earliest registration of each user, ties by the smaller id")
    func earliestRegistrations() {
        let needs = BatchRequirements([
            registrationEvent("r-b", user: "u1", at: "2026-03-02T10:00:00Z"),
            registrationEvent("r-c", user: "u1", at: "2026-03-01T10:00:00Z"),
            registrationEvent("r-a", user: "u1", at: "2026-03-01T10:00:00Z"),
            registrationEvent("r-d", user: "u2", at: "2026-03-05T10:00:00Z"),
        ])
        #expect(needs.earliestRegistrations == [
            user("u1"): stamp("2026-03-01T10:00:00Z", "r-a"),
            user("u2"): stamp("2026-03-05T10:00:00Z", "r-d"),
        ])
    }

    @Test("ledgers are read only for stored users whose first registration the batch can change")
    func ledgerUsers() {
        let needs = BatchRequirements([
            registrationEvent("r1", user: "uNew", at: "2026-03-01T10:00:00Z"),      // no row: no ledger yet
            registrationEvent("r2", user: "uNever", at: "2026-03-01T10:00:00Z"),    // row (orders first), never registered
            registrationEvent("r3", user: "uLater", at: "2026-03-01T10:00:00Z"),    // stored first is later: moves
            registrationEvent("r4", user: "uEarlier", at: "2026-03-01T10:00:00Z"),  // stored first is earlier: stays
            registrationEvent("r-b", user: "uTie", at: "2026-03-01T10:00:00Z"),     // same instant, larger id: stays
            registrationEvent("r-a", user: "uTie2", at: "2026-03-01T10:00:00Z"),    // same instant, smaller id: moves
            orderEvent("o1", order: "o1", user: "uOrder", status: "new", at: "2026-03-01T10:00:00Z",
                       createdAt: "2026-03-01T10:00:00Z"),                          // not registering
        ])
        func registered(_ at: String, _ id: String) -> UserState {
            UserState(firstRegistration: FirstRegistration(stamp: stamp(at, id), day: day(String(at.prefix(10))),
                                                           attribution: attr("google", "c")))
        }
        var state = BatchState()
        state.users[user("uNever")] = UserState()
        state.users[user("uLater")] = registered("2026-03-02T10:00:00Z", "r0")
        state.users[user("uEarlier")] = registered("2026-02-28T10:00:00Z", "r0")
        state.users[user("uTie")] = registered("2026-03-01T10:00:00Z", "r-a")
        state.users[user("uTie2")] = registered("2026-03-01T10:00:00Z", "r-b")
        state.users[user("uOrder")] = UserState()
        #expect(needs.ledgerUsers(with: state) == [user("uNever"), user("uLater"), user("uTie2")])
    }
}
