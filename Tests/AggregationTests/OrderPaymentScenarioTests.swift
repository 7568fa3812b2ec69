import Aggregation
import Events
import Foundation
import Testing

// SPEC §4 Orders / Payments, §4.1 orders/paid_orders/payments/revenue/refunds, §4.8 Rates and "Whose is what".
// Rates (Fixture.rates): USD 90 from 2026-01-01, 95.5 from 2026-03-10, 100 from 2026-03-11; EUR 100.125 from 2026-02-01.

@Suite("scenario: orders")
struct OrderScenarioTests {
    let yandex = attr("yandex_direct", "y1", "y2")
    let vk = attr("vk_ads", "v1", "v2")

    func registered(_ attribution: Attribution) -> UserState {
        UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-02-01T09:00:00Z", "reg"), day: day("2026-02-01"), attribution: attribution))
    }

    @Test("the latest event (ties: larger id) decides user, status, manager and created_at")
    func latestEventDecides() {
        let e1 = orderEvent("o1-1", order: "o1", user: "uA", status: "new", at: "2026-03-01T07:00:00Z",
                            createdAt: "2026-02-26T10:00:00Z", amount: "1000", manager: "m1")
        let e2 = orderEvent("o1-2", order: "o1", user: "uA", status: "in_work", at: "2026-03-02T07:00:00Z",
                            createdAt: "2026-02-28T21:30:00Z", amount: "1500", manager: "m2")
        // Same instant as o1-2 (10:00+03:00 = 07:00Z); "o1-3a" > "o1-2" by code point ('3' > '2'), so it wins.
        let e3 = orderEvent("o1-3a", order: "o1", user: "uB", status: "cancelled", at: "2026-03-02T10:00:00+03:00",
                            createdAt: "2026-02-28T21:30:00Z", amount: "1490.00", currency: "USD")
        for batch in [[e3, e1, e2], [e1, e2, e3], [e2, e3, e1]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            #expect(changes.rejected.isEmpty)
            let order = changes.orders[entity("o1")]
            #expect(order?.latest == stamp("2026-03-02T07:00:00Z", "o1-3a"))
            #expect(order?.userID == "uB")
            #expect(order?.status == .cancelled)
            #expect(order?.managerID == nil)        // no manager_id on the latest event → NULL, not "m2"
            #expect(order?.amount == dec("1490"))
            #expect(order?.currency == "USD")
            #expect(order?.createdDay == day("2026-03-01")) // created 21:30Z Feb 28 = 00:30 Mar 1 Moscow
            #expect(order?.paidDay == nil)
            #expect(changes.newOrderEvents[entity("o1")]?.count == 3)
            // One order, counted whatever its status, for the latest event's user, on created_at's day.
            #expect(changes.userDaily == [udkey("uB", "2026-03-01"): lm(orders: 1)])
            #expect(changes.funnel == [fkey("2026-03-01", .unattributed): fm(orders: 1)])
            #expect(changes.userMonthly.isEmpty) // orders are not money
            #expect(changes.usersSeen == [user("uA"), user("uB")])
        }
    }

    @Test("became paid: earliest paid after the last non-paid event")
    func becamePaidDay() {
        let events = [
            orderEvent("o2-1", order: "o2", user: "uC", status: "new", at: "2026-03-01T06:00:00Z", createdAt: "2026-03-01T06:00:00Z"),
            orderEvent("o2-2", order: "o2", user: "uC", status: "paid", at: "2026-03-02T06:00:00Z", createdAt: "2026-03-01T06:00:00Z"),
            orderEvent("o2-3", order: "o2", user: "uC", status: "cancelled", at: "2026-03-03T06:00:00Z", createdAt: "2026-03-01T06:00:00Z"),
            orderEvent("o2-4", order: "o2", user: "uC", status: "paid", at: "2026-03-04T21:15:00Z", createdAt: "2026-03-01T06:00:00Z"),
            orderEvent("o2-5", order: "o2", user: "uC", status: "paid", at: "2026-03-06T06:00:00Z", createdAt: "2026-03-01T06:00:00Z"),
        ]
        for batch in [events, events.reversed(), [events[3], events[0], events[4], events[2], events[1]]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            // Last non-paid: o2-3 (Mar 3). Earliest paid after it: o2-4 at 21:15Z Mar 4 = 00:15 Mar 5 Moscow.
            #expect(changes.orders[entity("o2")]?.status == .paid)
            #expect(changes.orders[entity("o2")]?.paidDay == day("2026-03-05"))
            #expect(changes.userDaily == [
                udkey("uC", "2026-03-01"): lm(orders: 1),
                udkey("uC", "2026-03-05"): lm(paidOrders: 1),
            ])
            #expect(changes.funnel == [
                fkey("2026-03-01", .unattributed): fm(orders: 1),
                fkey("2026-03-05", .unattributed): fm(paidOrders: 1),
            ])
        }
    }

    @Test("only `paid` is paid: part_paid is a non-paid event; a status tie goes to the larger id")
    func partPaidAndTies() {
        let created = "2026-03-01T06:00:00Z"
        // paid (Mar 2) then part_paid (Mar 3): the latest is part_paid → not paid, no paid order.
        let partPaid = Fixture.processor.process([
            orderEvent("x-1", order: "x", user: "u1", status: "paid", at: "2026-03-02T06:00:00Z", createdAt: created),
            orderEvent("x-2", order: "x", user: "u1", status: "part_paid", at: "2026-03-03T06:00:00Z", createdAt: created),
        ], state: BatchState())
        #expect(partPaid.orders[entity("x")]?.paidDay == nil)
        #expect(partPaid.userDaily == [udkey("u1", "2026-03-01"): lm(orders: 1)])

        // new "y-b" and paid "y-a" at the same instant: the larger id "y-b" (new) is the latest → not paid.
        let newWins = Fixture.processor.process([
            orderEvent("y-a", order: "y", user: "u1", status: "paid", at: "2026-03-02T06:00:00Z", createdAt: created),
            orderEvent("y-b", order: "y", user: "u1", status: "new", at: "2026-03-02T06:00:00Z", createdAt: created),
        ], state: BatchState())
        #expect(newWins.orders[entity("y")]?.status == .new)
        #expect(newWins.userDaily == [udkey("u1", "2026-03-01"): lm(orders: 1)])

        // new "z-a" and paid "z-b" at the same instant: paid is the latest, and it is after the new → paid Mar 2.
        let paidWins = Fixture.processor.process([
            orderEvent("z-b", order: "z", user: "u1", status: "paid", at: "2026-03-02T06:00:00Z", createdAt: created),
            orderEvent("z-a", order: "z", user: "u1", status: "new", at: "2026-03-02T06:00:00Z", createdAt: created),
        ], state: BatchState())
        #expect(paidWins.orders[entity("z")]?.paidDay == day("2026-03-02"))
        #expect(paidWins.userDaily == [udkey("u1", "2026-03-01"): lm(orders: 1), udkey("u1", "2026-03-02"): lm(paidOrders: 1)])
    }

    @Test("an order no longer paid takes its paid order back")
    func noLongerPaid() {
        var state = BatchState()
        state.users[user("u1")] = registered(yandex)
        state.orders[entity("o3")] = OrderState(
            latest: stamp("2026-03-05T06:00:00Z", "o3-2"), userID: "u1", status: .paid, amount: dec("1000"), currency: "RUB",
            product: nil, managerID: nil, createdAt: instant("2026-03-01T06:00:00Z"), createdDay: day("2026-03-01"),
            paidDay: day("2026-03-05"))
        state.orderEvents[entity("o3")] = [
            OrderStatusEvent(stamp: stamp("2026-03-01T06:00:00Z", "o3-1"), status: .new),
            OrderStatusEvent(stamp: stamp("2026-03-05T06:00:00Z", "o3-2"), status: .paid),
        ]
        let cancel = orderEvent("o3-3", order: "o3", user: "u1", status: "cancelled", at: "2026-03-07T06:00:00Z",
                                createdAt: "2026-03-01T06:00:00Z")
        let changes = Fixture.processor.process([cancel], state: state)
        #expect(changes.orders[entity("o3")]?.status == .cancelled)
        #expect(changes.orders[entity("o3")]?.paidDay == nil)
        #expect(changes.newOrderEvents[entity("o3")] == [OrderStatusEvent(stamp: stamp("2026-03-07T06:00:00Z", "o3-3"), status: .cancelled)])
        // Old contribution (Mar 1 order, Mar 5 paid) out, new (Mar 1 order) in: net −1 paid order on Mar 5.
        #expect(nonZero(changes.userDaily) == [udkey("u1", "2026-03-05"): lm(paidOrders: -1)])
        #expect(changes.funnel == [fkey("2026-03-05", yandex): fm(paidOrders: -1)]) // under u1's stored attribution
    }

    @Test("a late non-paid event between two paid ones moves the became-paid day")
    func lateCancelBetweenPaids() {
        var state = BatchState()
        state.users[user("u1")] = registered(yandex)
        state.orders[entity("o4")] = OrderState(
            latest: stamp("2026-03-06T06:00:00Z", "o4-4"), userID: "u1", status: .paid, amount: dec("1000"), currency: "RUB",
            product: nil, managerID: "m1", createdAt: instant("2026-03-01T06:00:00Z"), createdDay: day("2026-03-01"),
            paidDay: day("2026-03-03"))
        state.orderEvents[entity("o4")] = [
            OrderStatusEvent(stamp: stamp("2026-03-01T06:00:00Z", "o4-1"), status: .new),
            OrderStatusEvent(stamp: stamp("2026-03-03T06:00:00Z", "o4-2"), status: .paid),
            OrderStatusEvent(stamp: stamp("2026-03-06T06:00:00Z", "o4-4"), status: .paid),
        ]
        // Older than the latest: status stays paid, manager stays m1, but the last non-paid is now Mar 4,
        // so the earliest paid after it is o4-4 (Mar 6).
        let cancel = orderEvent("o4-3", order: "o4", user: "u1", status: "cancelled", at: "2026-03-04T06:00:00Z",
                                createdAt: "2026-03-01T06:00:00Z")
        let changes = Fixture.processor.process([cancel], state: state)
        let order = changes.orders[entity("o4")]
        #expect(order?.status == .paid)
        #expect(order?.latest == stamp("2026-03-06T06:00:00Z", "o4-4"))
        #expect(order?.managerID == "m1")
        #expect(order?.paidDay == day("2026-03-06"))
        #expect(nonZero(changes.userDaily) == [
            udkey("u1", "2026-03-03"): lm(paidOrders: -1),
            udkey("u1", "2026-03-06"): lm(paidOrders: 1),
        ])
        #expect(changes.funnel == [
            fkey("2026-03-03", yandex): fm(paidOrders: -1),
            fkey("2026-03-06", yandex): fm(paidOrders: 1),
        ])
    }

    @Test("an order whose user changes moves its contribution between users")
    func orderChangesUser() {
        var state = BatchState()
        state.users[user("uA")] = registered(vk)
        state.orders[entity("o5")] = OrderState(
            latest: stamp("2026-03-01T06:00:00Z", "o5-1"), userID: "uA", status: .new, amount: dec("700"), currency: "RUB",
            product: nil, managerID: nil, createdAt: instant("2026-03-01T06:00:00Z"), createdDay: day("2026-03-01"), paidDay: nil)
        state.orderEvents[entity("o5")] = [OrderStatusEvent(stamp: stamp("2026-03-01T06:00:00Z", "o5-1"), status: .new)]
        let changes = Fixture.processor.process([
            orderEvent("o5-2", order: "o5", user: "uB", status: "paid", at: "2026-03-02T06:00:00Z", createdAt: "2026-03-01T06:00:00Z"),
        ], state: state)
        #expect(changes.userDaily == [
            udkey("uA", "2026-03-01"): lm(orders: -1),    // leaves uA
            udkey("uB", "2026-03-01"): lm(orders: 1),     // arrives at uB, same created day
            udkey("uB", "2026-03-02"): lm(paidOrders: 1), // and is now paid (o5-2, Mar 2)
        ])
        #expect(changes.funnel == [
            fkey("2026-03-01", vk): fm(orders: -1),                  // uA's attribution
            fkey("2026-03-01", .unattributed): fm(orders: 1),        // uB has no registration
            fkey("2026-03-02", .unattributed): fm(paidOrders: 1),
        ])
    }
}

@Suite("scenario: payments")
struct PaymentScenarioTests {
    @Test("revenue on the first accepted day; refund on the refund day at that day's rate")
    func refundAtRefundDayRate() {
        let accepted = paymentEvent("pay-1", payment: "p1", user: "u1", status: "accepted",
                                    at: "2026-03-09T20:59:59Z", amount: "10.01", currency: "USD")
        let refunded = paymentEvent("pay-2", payment: "p1", user: "u1", status: "refunded",
                                    at: "2026-03-09T21:00:00Z", amount: "10.01", currency: "USD")
        for batch in [[accepted, refunded], [refunded, accepted]] {
            let changes = Fixture.processor.process(batch, state: BatchState())
            #expect(changes.rejected.isEmpty)
            // accepted: 23:59:59 Mar 9 Moscow → USD 90 → 10.01 × 90 = 900.90
            // refunded: 00:00 Mar 10 Moscow → USD 95.5 → 10.01 × 95.5 = 955.955 → 955.96 (half away from zero)
            #expect(changes.userDaily == [
                udkey("u1", "2026-03-09"): lm(payments: 1, revenue: "900.90"),
                udkey("u1", "2026-03-10"): lm(refunds: "955.96"),
            ])
            #expect(changes.userMonthly == [umkey("u1", "2026-03-01"): mm(payments: 1, revenue: "900.90", refunds: "955.96")])
            #expect(changes.funnel == [
                fkey("2026-03-09", .unattributed): fm(payments: 1, revenue: "900.90"),
                fkey("2026-03-10", .unattributed): fm(refunds: "955.96"),
            ])
            let state = changes.payments[entity("p1")]
            #expect(state?.firstAccepted?.amount.description == "900.90")
            #expect(state?.latest.amount.description == "955.96")
            #expect(state?.latest.status == .refunded)
        }
    }

    @Test("revenue belongs to the first accepted event's user, the refund to the latest event's")
    func refundToLatestUser() {
        let changes = Fixture.processor.process([
            paymentEvent("p2-a", payment: "p2", user: "uA", status: "accepted", at: "2026-03-02T06:00:00Z", amount: "100"),
            paymentEvent("p2-b", payment: "p2", user: "uB", status: "refunded", at: "2026-03-03T06:00:00Z", amount: "100"),
        ], state: BatchState())
        #expect(changes.userDaily == [
            udkey("uA", "2026-03-02"): lm(payments: 1, revenue: "100"),
            udkey("uB", "2026-03-03"): lm(refunds: "100"),
        ])
        #expect(changes.userMonthly == [
            umkey("uA", "2026-03-01"): mm(payments: 1, revenue: "100"),
            umkey("uB", "2026-03-01"): mm(refunds: "100"),
        ])
    }

    @Test("two accepted events at one instant: SPEC 4.8 gives the tie to the larger id, in either arrival order")
    func acceptedTieGoesToLargerID() {
        for order in [["p3-a", "p3-b"], ["p3-b", "p3-a"]] {
            let events = order.map { id in
                // "p3-b" > "p3-a" by code point: its user uB and amount 200 are the first accepted.
                paymentEvent(id, payment: "p3", user: id == "p3-a" ? "uA" : "uB", status: "accepted",
                             at: "2026-03-02T06:00:00Z", amount: id == "p3-a" ? "100" : "200")
            }
            let changes = Fixture.processor.process(events, state: BatchState())
            #expect(changes.userDaily == [udkey("uB", "2026-03-02"): lm(payments: 1, revenue: "200")])
        }
    }

    @Test("accepted again after a refund: no refund counts")
    func reacceptedAfterRefund() {
        let changes = Fixture.processor.process([
            paymentEvent("p3-c", payment: "p3", user: "u1", status: "accepted", at: "2026-03-03T06:00:00Z", amount: "200"),
            paymentEvent("p3-a", payment: "p3", user: "u1", status: "accepted", at: "2026-03-01T06:00:00Z", amount: "200"),
            paymentEvent("p3-b", payment: "p3", user: "u1", status: "refunded", at: "2026-03-02T06:00:00Z", amount: "200"),
        ], state: BatchState())
        // Earliest accepted Mar 1 → one payment of 200; latest (Mar 3) is accepted → no refund.
        #expect(changes.userDaily == [udkey("u1", "2026-03-01"): lm(payments: 1, revenue: "200")])
        #expect(changes.funnel == [fkey("2026-03-01", .unattributed): fm(payments: 1, revenue: "200")])
    }

    @Test("an accepted event older than the stored first accepted moves the revenue")
    func olderAcceptedReplaces() {
        let yandex = attr("yandex_direct", "y1", "y2")
        var state = BatchState()
        state.users[user("u1")] = UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-02-01T09:00:00Z", "reg"), day: day("2026-02-01"), attribution: yandex))
        let stored = PaymentFact(stamp: stamp("2026-03-10T06:00:00Z", "p4-b"), status: .accepted, userID: "u1",
                                 orderID: "o-any", amount: dec("1000.00"), day: day("2026-03-10"))
        state.payments[entity("p4")] = PaymentState(firstAccepted: stored, latest: stored)
        let changes = Fixture.processor.process([
            paymentEvent("p4-a", payment: "p4", user: "u1", status: "accepted", at: "2026-02-27T06:00:00Z", amount: "1000"),
        ], state: state)
        #expect(changes.userDaily == [
            udkey("u1", "2026-03-10"): lm(payments: -1, revenue: "-1000"), // old first accepted out
            udkey("u1", "2026-02-27"): lm(payments: 1, revenue: "1000"),   // new first accepted in
        ])
        #expect(changes.userMonthly == [
            umkey("u1", "2026-03-01"): mm(payments: -1, revenue: "-1000"),
            umkey("u1", "2026-02-01"): mm(payments: 1, revenue: "1000"),
        ])
        #expect(changes.funnel == [
            fkey("2026-03-10", yandex): fm(payments: -1, revenue: "-1000"),
            fkey("2026-02-27", yandex): fm(payments: 1, revenue: "1000"),
        ])
        #expect(changes.payments[entity("p4")]?.firstAccepted?.stamp.id == "p4-a")
        #expect(changes.payments[entity("p4")]?.latest.stamp.id == "p4-b") // still the latest event
    }

    @Test("an earlier accepted event of another user moves the revenue to that user")
    func earlierAcceptedOtherUser() {
        var state = BatchState()
        state.users[user("uA")] = UserState(firstRegistration: FirstRegistration(
            stamp: stamp("2026-02-01T09:00:00Z", "reg"), day: day("2026-02-01"), attribution: attr("vk_ads", "v")))
        let stored = PaymentFact(stamp: stamp("2026-03-10T06:00:00Z", "p5-b"), status: .accepted, userID: "uA",
                                 orderID: "o-any", amount: dec("250"), day: day("2026-03-10"))
        state.payments[entity("p5")] = PaymentState(firstAccepted: stored, latest: stored)
        let changes = Fixture.processor.process([
            paymentEvent("p5-a", payment: "p5", user: "uB", status: "accepted", at: "2026-03-09T06:00:00Z", amount: "250"),
        ], state: state)
        #expect(changes.userDaily == [
            udkey("uA", "2026-03-10"): lm(payments: -1, revenue: "-250"),
            udkey("uB", "2026-03-09"): lm(payments: 1, revenue: "250"),
        ])
        #expect(changes.funnel == [
            fkey("2026-03-10", attr("vk_ads", "v")): fm(payments: -1, revenue: "-250"),
            fkey("2026-03-09", .unattributed): fm(payments: 1, revenue: "250"),
        ])
    }

    @Test("a missing fx rate rejects the event, naming the currency, and changes nothing")
    func missingRateRejects() {
        let events = [
            paymentEvent("ok", payment: "p-ok", user: "u1", status: "accepted", at: "2026-03-05T06:00:00Z", amount: "50"),
            paymentEvent("gbp", payment: "p-gbp", user: "u2", status: "accepted", at: "2026-03-05T06:00:00Z", amount: "5", currency: "GBP"),
            // 06:00Z Dec 31 = 09:00 Dec 31 Moscow: before the first USD rate (Jan 1).
            paymentEvent("usd-early", payment: "p-usd", user: "u3", status: "accepted", at: "2025-12-31T06:00:00Z", amount: "5", currency: "USD"),
            orderEvent("ord-gbp", order: "o-gbp", user: "u4", status: "new", at: "2026-03-05T06:00:00Z",
                       createdAt: "2026-03-05T06:00:00Z", amount: "5", currency: "GBP"),
            adStatsEvent("ads-gbp", at: "2026-03-05T06:00:00Z", day: "2026-03-04", impressions: 1, clicks: 1, cost: "5", currency: "GBP"),
            // polled in January, but its day (Dec 31) has no USD rate: ad spend converts at its `day`.
            adStatsEvent("ads-usd", at: "2026-01-02T06:00:00Z", day: "2025-12-31", impressions: 1, clicks: 1, cost: "5", currency: "USD"),
            // 21:00Z Dec 31 = 00:00 Jan 1 Moscow: the Jan 1 USD rate applies. 1.00 × 90 = 90.00
            paymentEvent("usd-jan1", payment: "p-usd2", user: "u5", status: "accepted", at: "2025-12-31T21:00:00Z", amount: "1.00", currency: "USD"),
        ]
        let changes = Fixture.processor.process(events, state: BatchState())
        #expect(Set(changes.rejected.keys) == [1, 2, 3, 4, 5])
        #expect(changes.rejected[1]?.contains("GBP") == true)
        #expect(changes.rejected[2]?.contains("USD") == true)
        #expect(changes.rejected[3]?.contains("GBP") == true)
        #expect(changes.rejected[4]?.contains("GBP") == true)
        #expect(changes.rejected[5]?.contains("USD") == true)
        // Only "ok" and "usd-jan1" count anywhere.
        #expect(changes.userDaily == [
            udkey("u1", "2026-03-05"): lm(payments: 1, revenue: "50"),
            udkey("u5", "2026-01-01"): lm(payments: 1, revenue: "90.00"),
        ])
        #expect(changes.funnel == [
            fkey("2026-03-05", .unattributed): fm(payments: 1, revenue: "50"),
            fkey("2026-01-01", .unattributed): fm(payments: 1, revenue: "90"),
        ])
        #expect(Set(changes.payments.keys) == [entity("p-ok"), entity("p-usd2")])
        #expect(changes.orders.isEmpty)
        #expect(changes.newOrderEvents.isEmpty)
        #expect(changes.adStats.isEmpty)
        #expect(changes.usersSeen == [user("u1"), user("u5")])
        #expect(changes.lastDays == ["p": day("2026-03-05")])
    }

    @Test("a project's own base currency and time zone")
    func projectBaseCurrency() {
        var rates = FxRates()
        rates.add(base: "USD", currency: "RUB", day: day("2026-01-01"), rate: dec("0.011"))
        let projects = ProjectDirectory(projects: [
            "q": ProjectSettings(timeZone: TimeZone(identifier: "America/New_York")!, baseCurrency: "USD"),
        ])
        let processor = BatchProcessor(projects: projects, rates: rates)
        let changes = processor.process([
            // 03:00Z Mar 2 = 22:00 Mar 1 in New York (EST, UTC−5). 150 RUB × 0.011 = 1.65 USD.
            paymentEvent("q1", payment: "qp1", user: "u1", status: "accepted", at: "2026-03-02T03:00:00Z",
                         amount: "150", currency: "RUB", project: "q"),
            // USD is q's base: rate 1, no table row needed. 19.999 → 20.00.
            paymentEvent("q2", payment: "qp2", user: "u1", status: "accepted", at: "2026-03-02T06:00:00Z",
                         amount: "19.999", currency: "USD", project: "q"),
        ], state: BatchState())
        #expect(changes.rejected.isEmpty)
        let u1 = UserKey(project: "q", userID: "u1")
        #expect(changes.userDaily == [
            UserDayKey(user: u1, day: day("2026-03-01")): lm(payments: 1, revenue: "1.65"),
            UserDayKey(user: u1, day: day("2026-03-02")): lm(payments: 1, revenue: "20.00"),
        ])
    }
}
