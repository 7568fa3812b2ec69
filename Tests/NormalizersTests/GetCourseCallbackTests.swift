import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct GetCourseCallbackTests {
    let callback = GetCourseCallback(context: Fixtures.context)

    /// INPUTS.md §1.1's example order request, verbatim.
    static let orderQuery = "secret=S&order_id=871035642&number=11892043&status=payed&cost=14900&payed_money=14900&currency=RUB&email=a%40b.ru&user_id=512478330&deal_utm_source=yandex&deal_utm_campaign=c123&utm_source=vk&manager_email=m%40s.ru&created_at=2026-01-15+09%3A00%3A00&payed_at=2026-01-15+09%3A03%3A42"

    @Test func orderFromTheDocumentedExample() throws {
        let events = try callback.normalize(kind: .order, query: Fixtures.query(Self.orderQuery), receivedAt: Fixtures.receivedAt)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.id == "getcourse:order:871035642:payed:2026-01-15T06:03:42Z")
        #expect(event.project == "school1")
        #expect(event.source == "getcourse")
        #expect(event.occurredAt == Fixtures.instant("2026-01-15T09:03:42+03:00"))
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.orderID == "871035642")
        #expect(order.userID == "512478330")
        #expect(order.status == .paid)
        #expect(order.amount == DecimalNumber("14900")!)
        #expect(order.currency == "RUB")
        #expect(order.createdAt == Fixtures.instant("2026-01-15T06:00:00Z"))
        #expect(order.managerID == "email:" + Fixtures.sha256("s4lt" + "m@s.ru").prefix(16))
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        #expect(!json.contains("a@b.ru") && !json.contains("m@s.ru"), "no e-mail may leave the producer")
    }

    @Test func retriedOrderGivesTheSameEvent() throws {
        let first = try callback.normalize(kind: .order, query: Fixtures.query(Self.orderQuery), receivedAt: Fixtures.receivedAt)
        let retry = try callback.normalize(kind: .order, query: Fixtures.query(Self.orderQuery), receivedAt: Fixtures.receivedAt.advanced(byMicroseconds: 600_000_000))
        #expect(first == retry)
    }

    @Test(arguments: [
        ("new", OrderStatus.new), ("pending", .inWork), ("in_work", .inWork), ("not_confirmed", .inWork),
        ("payment_waiting", .inWork), ("payed", .paid), ("part_payed", .partPaid), ("cancelled", .cancelled),
        ("false", .cancelled), ("waiting_for_return", .cancelled), (" Payed ", .paid),
    ])
    func everyDealStatusMaps(_ raw: String, _ expected: OrderStatus) throws {
        let query = ["id": "1", "user_id": "2", "status": raw, "cost_money_value": "100", "created_at": "2026-01-15 09:00:00"]
        let event = try #require(try callback.normalize(kind: .order, query: query, receivedAt: Fixtures.receivedAt).first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.status == expected)
    }

    @Test(arguments: [
        (["cost_money_value": "14900"], "14900"),
        (["cost_money_value": "1181.16"], "1181.16"),
        (["cost_money_value": "299,7"], "299.7"),
        (["cost_money_value": "14 900"], "14900"),
        (["cost_money_value": "0"], "0"),
        (["cost_money_value": "", "cost_money": "14 900 руб."], "14900"),
        (["cost_money": "14\u{00A0}900,50 руб."], "14900.50"),
        (["cost": "4900", "cost_money": "4 900 руб."], "4900"),
    ])
    func amounts(_ amountParameters: [String: String], _ expected: String) throws {
        var query = ["id": "1", "user_id": "2", "status": "new", "created_at": "2026-01-15 09:00:00"]
        query.merge(amountParameters) { $1 }
        let event = try #require(try callback.normalize(kind: .order, query: query, receivedAt: Fixtures.receivedAt).first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.amount.description == expected)
    }

    @Test(arguments: [
        (["cost_money_value": "abc"], "cost_money_value: must be a decimal number, got \"abc\""),
        (["cost_money_value": "-5"], "cost_money_value: must not be negative, got \"-5\""),
        (["cost_money_value": ""], "cost_money_value: missing (expected cost_money_value, cost or cost_money)"),
        (["status": "shipped"], "status: must be a GetCourse deal status (cancelled, false, in_work, new, not_confirmed, part_payed, payed, payment_waiting, pending, waiting_for_return), got \"shipped\""),
        (["status": ""], "status: missing"),
        (["id": ""], "order_id: missing (expected order_id or id)"),
        (["user_id": ""], "user_id: missing"),
        (["created_at": "15/01/2026"], "created_at: must be a date and time such as \"2026-01-15 09:00:00\" or \"2026-01-15T09:00:00+03:00\", got \"15/01/2026\""),
        (["currency": "рубли"], "currency: must be a 3-letter ISO 4217 code, got \"рубли\""),
    ])
    func orderErrorsNameTheField(_ overrides: [String: String], _ message: String) {
        var query = ["id": "1", "user_id": "2", "status": "new", "cost_money_value": "100", "created_at": "2026-01-15 09:00:00"]
        query.merge(overrides) { $1 }
        #expect(throws: NormalizationError.self) { try callback.normalize(kind: .order, query: query, receivedAt: Fixtures.receivedAt) }
        do {
            _ = try callback.normalize(kind: .order, query: query, receivedAt: Fixtures.receivedAt)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func orderIDTimestampPrefersUpdatedAtAndIgnoresPayedAtForLaterStatuses() throws {
        let base = ["id": "7", "user_id": "2", "cost_money_value": "100", "created_at": "2026-01-15 09:00:00", "payed_at": "2026-01-15 09:03:42"]
        func id(_ extra: [String: String]) throws -> String {
            try callback.normalize(kind: .order, query: base.merging(extra) { $1 }, receivedAt: Fixtures.receivedAt)[0].id
        }
        #expect(try id(["status": "payed"]) == "getcourse:order:7:payed:2026-01-15T06:03:42Z")
        #expect(try id(["status": "cancelled"]) == "getcourse:order:7:cancelled:2026-01-15T06:00:00Z")
        #expect(try id(["status": "cancelled", "updated_at": "2026-01-20 12:00:00"]) == "getcourse:order:7:cancelled:2026-01-20T09:00:00Z")
    }

    @Test func managerIDWinsOverEmailAndTheManagersNameIsKept() throws {
        let query = ["id": "1", "user_id": "2", "status": "new", "cost_money_value": "1", "created_at": "2026-01-15T09:00:00+03:00",
                     "manager_id": "m-77", "manager_email": "boss@school.ru", "manager": "Иван Петров", "manager_phone": "+79990001122",
                     "positions": "Курс Python"]
        let event = try #require(try callback.normalize(kind: .order, query: query, receivedAt: Fixtures.receivedAt).first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.managerID == "m-77")
        // SPEC §4.11: managers are staff; their names are not customers' personal data. Their contacts still stay out.
        #expect(order.managerName == "Иван Петров")
        #expect(order.product == "Курс Python")
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        #expect(!json.contains("boss@school.ru") && !json.contains("7999"))
    }

    /// INPUTS.md §1.1's order process with the §15 variables a school adds for offers, the manager, the deal's
    /// UTM and tags: `positions={object.positions}&offers={object.offers}&manager={object.manager}&deal_utm_…`.
    @Test func orderWithOfferManagerDealUTMAndTags() throws {
        let text = Self.orderQuery
            + "&positions=%D0%9A%D1%83%D1%80%D1%81+%C2%AB%D0%A1%D1%82%D0%B0%D1%80%D1%82%C2%BB&offers=8571204"
            + "&manager=%D0%9E%D0%BB%D1%8C%D0%B3%D0%B0+%D0%A1%D0%BC%D0%B8%D1%80%D0%BD%D0%BE%D0%B2%D0%B0"
            + "&deal_utm_medium=cpc&deal_utm_content=ad9&deal_utm_term="
            + "&tags=launch%3A2026-10%2C+flow%3A5%2C%2C+launch%3A2026-10+"
        let event = try #require(try callback.normalize(kind: .order, query: Fixtures.query(text), receivedAt: Fixtures.receivedAt).first)
        #expect(event.id == "getcourse:order:871035642:payed:2026-01-15T06:03:42Z", "the new fields do not change the fact's id")
        #expect(event.data == .order(Order(
            orderID: "871035642", userID: "512478330", status: .paid, amount: 14900, currency: "RUB",
            product: "Курс «Старт»", offer: "Курс «Старт»",
            managerID: "email:" + Fixtures.sha256("s4lt" + "m@s.ru").prefix(16), managerName: "Ольга Смирнова",
            // Split at commas, trimmed, the empty item dropped, the repeated tag kept.
            tags: ["launch:2026-10", "flow:5", "launch:2026-10"],
            // deal_utm_* only: the request's utm_source=vk is the user's first touch.
            utm: UTM(source: "yandex", medium: "cpc", campaign: "c123", content: "ad9"),
            createdAt: Fixtures.instant("2026-01-15T06:00:00Z"))))
        #expect(try Event.decode(json: event.encodeJSON()) == event)
    }

    static let minimalOrder = ["id": "1", "user_id": "2", "status": "new", "cost_money_value": "100", "created_at": "2026-01-15 09:00:00"]

    func orderFrom(_ extra: [String: String]) throws -> Order {
        let event = try #require(try callback.normalize(kind: .order, query: Self.minimalOrder.merging(extra) { $1 }, receivedAt: Fixtures.receivedAt).first)
        guard case .order(let order) = event.data else { throw NormalizationError(field: "test", problem: "not an order") }
        return order
    }

    @Test(arguments: [
        ([:], nil, nil),
        (["positions": "Тариф VIP"], "Тариф VIP", "Тариф VIP"),
        (["offers": "8571204"], "8571204", "8571204"),
        // Several offers: kept whole, since GetCourse's separator is not documented.
        (["positions": "Курс A, Курс B", "offers": "1,2"], "Курс A, Курс B", "Курс A, Курс B"),
        (["positions": "", "offers": " 1,2 "], "1,2", "1,2"),
        (["product": "Python", "positions": "Тариф VIP"], "Python", "Тариф VIP"),
        (["product": "Python"], "Python", nil),
    ] as [([String: String], String?, String?)])
    func offersAndProduct(_ extra: [String: String], _ product: String?, _ offer: String?) throws {
        let order = try orderFrom(extra)
        #expect(order.product == product)
        #expect(order.offer == offer)
    }

    @Test(arguments: [
        ([:], nil),
        (["manager_name": "Ольга", "manager": "Иван"], "Ольга"),
        (["manager_name": " ", "manager": " Иван Петров "], "Иван Петров"),
        (["manager": ""], nil),
    ] as [([String: String], String?)])
    func managerName(_ extra: [String: String], _ expected: String?) throws {
        let order = try orderFrom(extra)
        #expect(order.managerName == expected)
        #expect(order.managerID == nil, "a name gives no id")
    }

    @Test func anAddressWhereTheNameBelongsIsNoNameButIdentifiesTheManager() throws {
        let order = try orderFrom(["manager": "Boss@School.ru"])
        #expect(order.managerName == nil)
        #expect(order.managerID == "email:" + Fixtures.sha256("s4lt" + "boss@school.ru").prefix(16))
        #expect(try orderFrom(["manager": "boss@school.ru", "manager_email": "olga@school.ru"]).managerID
                == "email:" + Fixtures.sha256("s4lt" + "olga@school.ru").prefix(16))
    }

    @Test(arguments: [
        ([:], nil),
        (["utm_source": "vk", "user_utm_source": "vk"], nil),
        (["deal_utm_source": "", "deal_utm_campaign": " "], nil),
        (["deal_utm_source": "yandex", "deal_utm_campaign": "c1", "deal_utm_content": "ad1", "deal_utm_medium": "cpc", "deal_utm_term": "курс"],
         UTM(source: "yandex", medium: "cpc", campaign: "c1", content: "ad1", term: "курс")),
        (["custom_utm_source": "vk", "custom_utm_campaign": "c2"], UTM(source: "vk", campaign: "c2")),
        // One set, never mixed: deal_utm_* wins whole.
        (["deal_utm_campaign": "c1", "custom_utm_source": "vk", "custom_utm_campaign": "c2"], UTM(campaign: "c1")),
    ] as [([String: String], UTM?)])
    func dealUTM(_ extra: [String: String], _ expected: UTM?) throws {
        #expect(try orderFrom(extra).utm == expected)
    }

    @Test(arguments: [
        ("", nil),
        (" , ,", nil),
        ("vip", ["vip"]),
        ("launch:2026-10,flow:5", ["launch:2026-10", "flow:5"]),
        (" launch:2026-10 , эксперт: Иванова ,", ["launch:2026-10", "эксперт: Иванова"]),
        ("a,,a", ["a", "a"]),
        ("VIP,vip", ["VIP", "vip"]),
    ] as [(String, [String]?)])
    func tags(_ text: String, _ expected: [String]?) throws {
        #expect(try orderFrom(["tags": text]).tags == expected)
    }

    @Test func tagLimitsAreTheEventsAndCountCodePoints() throws {
        let fifty = (1...50).map { "t\($0)" }
        #expect(try orderFrom(["tags": fifty.joined(separator: ",")]).tags == fifty)
        let longest = String(repeating: "я", count: 200)
        #expect(try orderFrom(["tags": "a," + longest]).tags == ["a", longest])
    }

    @Test(arguments: [
        ((1...51).map { "t\($0)" }.joined(separator: ", "), "tags: must have at most 50 tags, got 51"),
        ("a, " + String(repeating: "я", count: 201),
         "tags: tag 2 must be at most 200 characters, got 201: \"" + String(repeating: "я", count: 120) + "…\""),
        ("a\u{0}b", "tags: must not contain the NUL character (U+0000)"),
    ])
    func badTagsAreRefusedUnderTags(_ text: String, _ message: String) {
        do {
            _ = try orderFrom(["tags": text])
            Issue.record("accepted \(text)")
        } catch let error as NormalizationError {
            #expect(error.description == message)
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func userFromAProcessCall() throws {
        let query = Fixtures.query("id=512478330&email=%20Test%40Example.COM%20&first_name=Ana&phone=%2B79990001122&utm_source=yandex&utm_medium=cpc&utm_campaign=c123&utm_content=ad9&utm_term=&created_at=2026-01-15+09%3A00%3A00")
        let event = try #require(try callback.normalize(kind: .user, query: query, receivedAt: Fixtures.receivedAt).first)
        #expect(event.id == "getcourse:user:512478330:registration")
        #expect(event.occurredAt == Fixtures.instant("2026-01-15T06:00:00Z"))
        guard case .registration(let registration) = event.data else { Issue.record("not a registration"); return }
        #expect(registration.userID == "512478330")
        #expect(registration.utm == UTM(source: "yandex", medium: "cpc", campaign: "c123", content: "ad9", term: nil))
        #expect(registration.emailSHA256 == Fixtures.sha256("s4lt" + "test@example.com"))
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        for personal in ["Test@Example", "test@example", "Ana", "7999"] { #expect(!json.contains(personal)) }
    }

    @Test(arguments: [
        ("user_id=5&utm_source=vk&user_utm_source=yandex&user_utm_campaign=c1", UTM(source: "vk")),
        ("user_id=5&utm_source=&user_utm_source=yandex&user_utm_campaign=c1", UTM(source: "yandex", campaign: "c1")),
        ("user_id=5", UTM()),
    ])
    func userUTMsComeFromOneSetNeverMixed(_ text: String, _ expected: UTM) throws {
        let event = try callback.normalize(kind: .user, query: Fixtures.query(text), receivedAt: Fixtures.receivedAt)[0]
        guard case .registration(let registration) = event.data else { Issue.record("not a registration"); return }
        #expect(registration.utm == expected)
        #expect(registration.emailSHA256 == nil)
        #expect(event.occurredAt == Fixtures.receivedAt, "no created_at: the call's arrival is the only clock")
    }

    @Test func userWithoutIDIsRejected() {
        #expect(throws: NormalizationError(field: "user_id", problem: "missing (expected user_id or id)")) {
            try callback.normalize(kind: .user, query: ["email": "a@b.ru", "id": ""], receivedAt: Fixtures.receivedAt)
        }
    }

    @Test(arguments: [
        ("accepted", PaymentStatus.accepted, "getcourse:payment:3301:accepted"),
        ("returned", .refunded, "getcourse:payment:3301:refunded"),
        ("returned_to_balance", .refunded, "getcourse:payment:3301:refunded"),
    ])
    func payments(_ raw: String, _ status: PaymentStatus, _ id: String) throws {
        let query = Fixtures.query("payment_id=3301&order_id=871035642&user_id=512478330&status=\(raw)&amount=1181,16&currency=usd&created_at=2026-01-15+09%3A03%3A42")
        let event = try #require(try callback.normalize(kind: .payment, query: query, receivedAt: Fixtures.receivedAt).first)
        #expect(event.id == id)
        #expect(event.occurredAt == Fixtures.instant("2026-01-15T06:03:42Z"))
        #expect(event.data == .payment(Payment(paymentID: "3301", orderID: "871035642", userID: "512478330", amount: DecimalNumber("1181.16")!, currency: "USD", status: status)))
    }

    @Test(arguments: ["expected", "tobalance", "frombalance"])
    func paymentsThatMoveNoMoneyGiveNothing(_ raw: String) throws {
        let query = ["payment_id": "1", "order_id": "2", "user_id": "3", "status": raw, "amount": "10"]
        #expect(try callback.normalize(kind: .payment, query: query, receivedAt: Fixtures.receivedAt).isEmpty)
    }

    @Test(arguments: [
        (["amount": "0"], "amount: must be greater than 0"),
        (["status": "ok"], "status: must be a GetCourse payment status (accepted, returned, returned_to_balance, expected, tobalance, frombalance), got \"ok\""),
        (["payment_id": ""], "payment_id: missing"),
        (["order_id": ""], "order_id: missing"),
    ])
    func paymentErrors(_ overrides: [String: String], _ message: String) {
        let query = ["payment_id": "1", "order_id": "2", "user_id": "3", "status": "accepted", "amount": "10"].merging(overrides) { $1 }
        do {
            _ = try callback.normalize(kind: .payment, query: query, receivedAt: Fixtures.receivedAt)
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }
}
