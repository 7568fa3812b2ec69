import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct GetCourseDealWebhookTests {
    let webhook = GetCourseDealWebhook(context: Fixtures.context)

    /// INPUTS.md §1.2's deal body, with the event type and deal fields substitutable.
    static func body(eventType: String = "getcourse/dealPaid", deal: String = #""status":"payed","isPayed":true,"cost":14900,"payedValue":14900,"currency":"RUB""#, extra: String = "") -> [UInt8] {
        Array("""
        {"ts":"2026-01-15T09:03:42Z","ts64":1768467822,"gcAccountId":384201,
         "eventType":"\(eventType)",
         "deal":{"id":"871035642","number":11892043,\(deal),"offerIds":[8571204],
                 "createdAt":"2026-01-15T09:00:00Z","clientDealNumber":1},
         "user":{"id":"384201:512478330","gcId":512478330,"cuid":null,"type":"Real","email":"test@example.com"},
         "gcSessionId":9814527360,"gcVisitorId":9402118745\(extra)}
        """.utf8)
    }

    @Test func paidDeal() throws {
        let events = try webhook.normalize(body: Self.body())
        let event = try #require(events.first)
        #expect(events.count == 1)
        #expect(event.id == "getcourse:order:871035642:payed:1768467822")
        #expect(event.occurredAt == Instant(microsecondsSinceEpoch: 1_768_467_822_000_000))
        #expect(event.data == .order(Order(orderID: "871035642", userID: "512478330", status: .paid, amount: 14900, currency: "RUB",
                                           product: "8571204", offer: "8571204", createdAt: Fixtures.instant("2026-01-15T09:00:00Z"))))
        #expect(!String(decoding: event.encodeJSON(), as: UTF8.self).contains("test@example.com"))
    }

    @Test func dealPaidAndDealStatusChangedOfOnePaymentAreOneEvent() throws {
        let paid = try webhook.normalize(body: Self.body(eventType: "getcourse/dealPaid"))
        let changed = try webhook.normalize(body: Self.body(eventType: "getcourse/dealStatusChanged"))
        #expect(paid == changed)
        #expect(paid.map(\.id) == ["getcourse:order:871035642:payed:1768467822"])
    }

    @Test(arguments: [
        (#""status":"payed","isPayed":0,"cost":0,"payedValue":0,"currency":"RUB""#, OrderStatus.paid, "0", "RUB"),
        (#""status":"payed","isPayed":1,"cost":4900,"payedValue":1181.16,"currency":"RUB""#, .paid, "4900", "RUB"),
        (#""status":"part_payed","isPayed":false,"cost":4900.50,"payedValue":1000,"currency":"USD""#, .partPaid, "4900.50", "USD"),
        (#""status":"false","isPayed":0,"cost":100,"payedValue":0"#, .cancelled, "100", "RUB"),
        (#""status":false,"isPayed":0,"cost":100"#, .cancelled, "100", "RUB"),
        (#""status":"waiting_for_return","isPayed":true,"cost":"14900","currency":"RUB""#, .cancelled, "14900", "RUB"),
        (#""status":"new","isPayed":"0","cost":14900,"currency":null"#, .new, "14900", "RUB"),
    ])
    func quirks(_ deal: String, _ status: OrderStatus, _ amount: String, _ currency: String) throws {
        let event = try #require(try webhook.normalize(body: Self.body(eventType: "getcourse/dealStatusChanged", deal: deal)).first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.status == status)
        #expect(order.amount.description == amount)
        #expect(order.currency == currency)
    }

    @Test func dealCreatedWithStringClientNumberAndNullSession() throws {
        let body = Array("""
        {"ts":"2026-01-15T09:00:00Z","ts64":1768467600,"gcAccountId":384201,"eventType":"getcourse/dealCreated",
         "deal":{"id":871035642,"number":11892043,"status":"new","isPayed":0,"cost":14900,"payedValue":0,"currency":"RUB",
                 "offerIds":[],"createdAt":"2026-01-15T09:00:00Z","clientDealNumber":"0"},
         "user":{"id":"384201:512478330","gcId":512478330,"cuid":null,"type":"Real","email":"x@y.ru"},
         "gcSessionId":null,"gcVisitorId":null}
        """.utf8)
        let event = try #require(try webhook.normalize(body: body).first)
        #expect(event.id == "getcourse:order:871035642:new:1768467600")
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.product == nil)
        #expect(order.offer == nil)
    }

    /// The body's only offer data is `offerIds` (INPUTS.md §1.2); it has no manager, tags or UTM, so none is invented.
    @Test(arguments: [
        (#""offerIds":[8571204,"8571205"]"#, "8571204,8571205"),
        (#""offerIds":["8571204"]"#, "8571204"),
        (#""offerIds":null"#, nil),
    ] as [(String, String?)])
    func offersAreTheOfferIDs(_ offerIDs: String, _ expected: String?) throws {
        let body = Array(String(decoding: Self.body(), as: UTF8.self).replacingOccurrences(of: #""offerIds":[8571204]"#, with: offerIDs).utf8)
        let event = try #require(try webhook.normalize(body: body).first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.offer == expected)
        #expect(order.product == expected)
        #expect(order.managerID == nil && order.managerName == nil && order.tags == nil && order.utm == nil)
    }

    @Test func arrayOfSamplesAndForeignEventTypes() throws {
        let array = Self.body(eventType: "getcourse/dealPaid") + Array(",".utf8) + Self.body(eventType: "getcourse/dialogCreated")
        let events = try webhook.normalize(body: Array("[".utf8) + array + Array("]".utf8))
        #expect(events.count == 1)
    }

    @Test(arguments: [
        (#""status":"shipped","cost":1"#, "deal.status: must be a GetCourse deal status (cancelled, false, in_work, new, not_confirmed, part_payed, payed, payment_waiting, pending, waiting_for_return), got \"shipped\""),
        (#""status":"new","cost":"abc""#, "deal.cost: must be a decimal number, got \"abc\""),
        (#""status":"new","cost":-1"#, "deal.cost: must not be negative, got \"-1\""),
        (#""status":"new","cost":1e3"#, "deal.cost: must be a plain decimal number, got 1e3"),
        (#""status":"new""#, "deal.cost: missing"),
        (#""status":"new","cost":1,"isPayed":"yes""#, "deal.isPayed: must be 0, 1, true or false, got string"),
        (#""status":"new","cost":1,"currency":"rubles""#, "deal.currency: must be a 3-letter ISO 4217 code, got \"rubles\""),
        (#""status":"new","cost":1,"payedValue":true"#, "deal.payedValue: must be a number, got boolean"),
    ])
    func errorsNameTheField(_ deal: String, _ message: String) {
        do {
            _ = try webhook.normalize(body: Self.body(deal: deal))
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func malformedBodies() {
        #expect(throws: NormalizationError.self) { try webhook.normalize(body: Array("{\"ts64\":".utf8)) }
        #expect(throws: NormalizationError(field: "eventType", problem: "missing")) { try webhook.normalize(body: Array("{}".utf8)) }
        #expect(throws: NormalizationError(field: "user.id", problem: "missing")) {
            try webhook.normalize(body: Array(#"{"ts64":1,"eventType":"getcourse/dealPaid","deal":{"id":"1","status":"payed","cost":1},"user":{}}"#.utf8))
        }
    }
}
