import Events
import Foundation
import Normalizers
import Testing
@testable import Backfill

@Suite struct ExportCellsTests {
    @Test(arguments: [
        ("14 900", DecimalSeparator.comma, "14900", nil),
        ("14\u{00A0}900,50", .comma, "14900.50", nil),
        ("299,7", .comma, "299.7", nil),
        ("300 руб.", .comma, "300", "RUB"),
        ("4 900,50 руб.", .comma, "4900.50", "RUB"),
        ("1 181,16 USD", .comma, "1181.16", "USD"),
        ("14,900.50", .point, "14900.50", nil),
        ("$1,234", .point, "1234", "USD"),
        ("299.7", .point, "299.7", nil),
        ("0", .point, "0", nil),
    ] as [(String, DecimalSeparator, String, String?)])
    func money(raw: String, separator: DecimalSeparator, amount: String, currency: String?) throws {
        let result = try ExportCells.money(raw, decimalSeparator: separator)
        #expect(result.amount == amount)
        #expect(result.currency == currency)
    }

    @Test(arguments: [
        ("299.7", DecimalSeparator.comma, "has a '.' but the decimal separator is ','"),
        ("1,5,0", .comma, "must be a decimal number"),
        ("299,7", .point, "does not group thousands"),
        ("1,23,456", .point, "does not group thousands"),
        ("руб.", .comma, "must be a decimal number"),
        ("12 попугаев", .comma, "unknown currency \"попугаев\""),
    ] as [(String, DecimalSeparator, String)])
    func moneyRefused(raw: String, separator: DecimalSeparator, problem: String) {
        do {
            _ = try ExportCells.money(raw, decimalSeparator: separator)
            Issue.record("\(raw) was accepted")
        } catch {
            #expect(error.problem.contains(problem), "\(error.problem)")
        }
    }

    @Test(arguments: [
        ("2023-08-17 8:00", "2023-08-17 08:00"),
        ("2023-08-17 8:00:05", "2023-08-17 08:00:05"),
        ("2023-08-17 18:00", "2023-08-17 18:00"),
        ("2023-08-17", "2023-08-17"),
        (" 15.01.2026 09:00 ", "15.01.2026 09:00"),
    ])
    func dates(raw: String, expected: String) {
        #expect(ExportCells.date(raw) == expected)
    }
}

@Suite struct GetCourseRowMapperTests {
    static func events(_ results: [Result<[Event], BackfillError>]) throws -> [[Event]] {
        try results.map { try $0.get() }
    }

    @Test func paidOrderHasTheLiveCallbacksId() throws {
        let rows = try Self.events(Support.mapped(.orders, Support.orders))
        #expect(rows.count == 3)
        let event = try #require(rows[0].first)
        #expect(rows[0].count == 1)
        // INPUTS.md §1.1's order: paid at 09:03:42 Moscow time.
        #expect(event.id == "getcourse:order:871035642:payed:2026-01-15T06:03:42Z")
        #expect(event.project == "school")
        #expect(event.source == "backfill")
        #expect(event.occurredAt == Support.instant("2026-01-15T06:03:42Z"))
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.orderID == "871035642")
        #expect(order.userID == "512478330")
        #expect(order.status == .paid)
        #expect(order.amount == DecimalNumber("14900")!)
        #expect(order.currency == "RUB")
        #expect(order.product == "Курс «Старт»")
        #expect(order.createdAt == Support.instant("2026-01-15T06:00:00Z"))
        #expect(order.managerID == "email:" + Support.sha256("s4lt" + "m@s.ru").prefix(16))
        // «Состав заказа» is the offer, whole; «Менеджер» holds an address, so it is no name; the order's own
        // utm_* are its deal UTM (user_utm_source=vk is the user's); «Теги» split at the comma.
        #expect(order.offer == "Курс \"Старт\"; модуль 1")
        #expect(order.managerName == nil)
        #expect(order.utm == UTM(source: "yandex", medium: "cpc", campaign: "c123"))
        #expect(order.tags == ["тег1", "тег2"])

        // The same order through the live callback (INPUTS.md §1.1's request) is the same fact.
        let query = [
            "order_id": "871035642", "number": "11892043", "status": "payed", "cost": "14900", "payed_money": "14900",
            "currency": "RUB", "email": "a@b.ru", "user_id": "512478330", "manager_email": "m@s.ru",
            "created_at": "2026-01-15 09:00:00", "payed_at": "2026-01-15 09:03:42",
        ]
        let live = try GetCourseCallback(context: Support.context).normalize(kind: .order, query: query, receivedAt: Support.instant("2026-01-15T10:00:00Z"))
        #expect(live.map(\.id) == [event.id])
        #expect(live.first?.occurredAt == event.occurredAt)
    }

    @Test func newAndPartlyPaidOrders() throws {
        let rows = try Self.events(Support.mapped(.orders, Support.orders))
        let new = try #require(rows[1].first)
        #expect(new.id == "getcourse:order:871035643:new:2026-01-16T07:00:00Z")
        guard case .order(let order) = new.data else { Issue.record("not an order"); return }
        #expect(order.status == .new)
        #expect(order.amount == DecimalNumber("4900.50")!)
        #expect(order.currency == "RUB", "the cost column's title names the account currency")
        #expect(order.managerID == nil, "a manager known only by name gets no id")
        #expect(order.managerName == "Ольга Смирнова")
        #expect(order.product == "Курс")
        #expect(order.offer == nil, "«Состав заказа» is empty; «Title» is the product only")
        #expect(order.tags == nil)
        #expect(order.utm == nil)

        let part = try #require(rows[2].first)
        // A one-digit hour is read; part_payed is dated by its payment.
        #expect(part.id == "getcourse:order:871035644:part_payed:2026-01-17T09:00:00Z")
        guard case .order(let partOrder) = part.data else { Issue.record("not an order"); return }
        #expect(partOrder.status == .partPaid)
        #expect(partOrder.amount == DecimalNumber("1181.16")!)
        #expect(partOrder.currency == "USD")
        #expect(partOrder.createdAt == Support.instant("2026-01-17T05:30:00Z"))
        #expect(partOrder.product == "Курс\nс переносом")
    }

    @Test func nothingPersonalLeaves() throws {
        let rows = try Self.events(Support.mapped(.orders, Support.orders)) + Self.events(Support.mapped(.users, Support.users))
        for event in rows.joined() {
            let json = String(decoding: event.encodeJSON(), as: UTF8.self)
            for personal in ["a@b.ru", "A@B.ru", "m@s.ru", "Иван", "Петров", "Анна", "000-00-00", "79000000000", "1990-01-01", "Москва"] {
                #expect(!json.contains(personal), "\(personal) in \(json)")
            }
        }
    }

    @Test(arguments: [
        ("Завершен", OrderStatus.paid, "payed"), ("завершён", .paid, "payed"), ("completed", .paid, "payed"),
        ("Новый", .new, "new"), ("in progress", .inWork, "in_work"), ("В работе", .inWork, "in_work"),
        ("Ожидаем оплаты", .inWork, "payment_waiting"), ("Отменен", .cancelled, "cancelled"), ("Ложный", .cancelled, "false"),
        ("Частично оплачен", .partPaid, "part_payed"), ("Ожидаем возврата", .cancelled, "waiting_for_return"),
        ("payed", .paid, "payed"), ("false", .cancelled, "false"),
    ] as [(String, OrderStatus, String)])
    func statusLabels(label: String, status: OrderStatus, code: String) throws {
        let text = "ID заказа;ID пользователя;Статус;Стоимость;Дата создания;Дата изменения статуса\n7;8;\(label);100;2026-02-01 10:00:00;2026-02-02 10:00:00\n"
        let event = try #require(try Self.events(Support.mapped(.orders, text))[0].first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.status == status)
        #expect(event.id == "getcourse:order:7:\(code):2026-02-02T07:00:00Z")
    }

    @Test func registrations() throws {
        let rows = try Self.events(Support.mapped(.users, Support.users))
        let first = try #require(rows[0].first)
        #expect(first.id == "getcourse:user:512478330:registration")
        #expect(first.occurredAt == Support.instant("2026-01-10T05:15:00Z"))
        guard case .registration(let registration) = first.data else { Issue.record("not a registration"); return }
        #expect(registration.userID == "512478330")
        #expect(registration.emailSHA256 == Support.sha256("s4lt" + "a@b.ru"))
        #expect(registration.utm == UTM(source: "yandex", medium: "cpc", campaign: "spring", content: "ad7", term: nil))

        let second = try #require(rows[1].first)
        #expect(second.id == "getcourse:user:512478331:registration")
        // A bare date is the start of the school's day.
        #expect(second.occurredAt == Support.instant("2026-01-09T21:00:00Z"))
        guard case .registration(let bare) = second.data else { Issue.record("not a registration"); return }
        #expect(bare.emailSHA256 == nil)
        #expect(bare.utm == UTM())
    }

    @Test func payments() throws {
        let rows = try Self.events(Support.mapped(.payments, Support.payments))
        #expect(rows.map { $0.map(\.id) } == [
            ["getcourse:payment:5551:accepted"], ["getcourse:payment:5552:refunded"],
            [], // «Ожидается»: no money moved yet
        ])
        guard case .payment(let payment) = rows[0][0].data, case .payment(let refund) = rows[1][0].data else {
            Issue.record("not payments"); return
        }
        #expect(payment == Payment(paymentID: "5551", orderID: "871035642", userID: "512478330", amount: DecimalNumber("14900")!, currency: "RUB", status: .accepted))
        #expect(rows[0][0].occurredAt == Support.instant("2026-01-15T06:03:42Z"))
        #expect(refund.status == .refunded)
        #expect(rows[1][0].occurredAt == Support.instant("2026-01-20T08:00:00Z"))
    }

    @Test func commaDelimitedExportWithPointDecimals() throws {
        let text = "ID заказа,ID пользователя,Статус,\"Стоимость, USD\",Дата создания\n9,10,new,\"1,049.99\",2026-03-01 12:00:00\n"
        let format = CSVFormat(delimiter: UInt8(ascii: ","), encoding: .utf8, decimalSeparator: .point)
        let event = try #require(try Self.events(Support.mapped(.orders, text, format: format))[0].first)
        guard case .order(let order) = event.data else { Issue.record("not an order"); return }
        #expect(order.amount == DecimalNumber("1049.99")!)
        #expect(order.currency == "USD")
    }

    @Test func badCellsNameTheirColumn() throws {
        let text = Support.ordersHeader + "\n" + [
            "1;;2;;;;2026-01-15 09:00:00;;;;Архив;100;;;;;;;;;;;;;;;;;;;;",
            "1;;2;;;;2026-01-15 09:00:00;;;;new;12.50;;;;;;;;;;;;;;;;;;;;",
            "1;;2;;;;вчера;;;;new;100;;;;;;;;;;;;;;;;;;;;",
            "1;;;;;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;",
            "1;;2;;;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;;extra",
        ].joined(separator: "\n")
        let results = try Support.mapped(.orders, text)
        let errors = results.map { result -> BackfillError.Row? in
            if case .failure(.row(let error)) = result { return error }
            return nil
        }
        #expect(errors[0]?.column == "Статус")
        #expect(errors[0]?.problem.hasSuffix("got \"Архив\"") == true)
        #expect(errors[1]?.column == "Стоимость, RUB")
        #expect(errors[1]?.problem.contains("--decimal point") == true)
        #expect(errors[2]?.column == "Дата создания")
        #expect(errors[2]?.problem.hasSuffix("got \"вчера\"") == true)
        #expect(errors[3] == BackfillError.Row(column: "ID пользователя", problem: "missing"))
        #expect(errors[4] == BackfillError.Row(column: nil, problem: "has 33 cells but the header has 32 columns (wrong --delimiter, or an unquoted delimiter in a cell?)"))
    }

    /// An export with every new order column as INPUTS.md §1.5 and §15 name them, checked event by event.
    @Test func offerManagerDealUTMAndTagsColumns() throws {
        let text = "ID заказа;ID пользователя;Статус;Стоимость, RUB;Дата создания;Состав заказа;Менеджер;Email менеджера;utm_source;utm_medium;utm_campaign;utm_content;utm_term;user_utm_source;Теги\n"
            + "10;20;new;100;2026-02-01 10:00:00;Тариф VIP;Ольга Смирнова;olga@school.ru;vk;cpm;777;555;;yandex;\"launch:2026-10, , flow:5 \"\n"
            + "11;21;new;100;2026-02-01 10:00:00;;boss@school.ru;;;;;;;yandex;\n"
            + "12;22;new;100;2026-02-01 10:00:00;;;;;;;;;;\"" + (1...51).map { "t\($0)" }.joined(separator: ",") + "\"\n"
            + "13;23;new;100;2026-02-01 10:00:00;;;;;;;;;;" + String(repeating: "т", count: 201) + "\n"
        let results = try Support.mapped(.orders, text)
        #expect(try results[0].get().map(\.data) == [.order(Order(
            orderID: "10", userID: "20", status: .new, amount: 100, currency: "RUB", product: "Тариф VIP", offer: "Тариф VIP",
            managerID: "email:" + Support.sha256("s4lt" + "olga@school.ru").prefix(16), managerName: "Ольга Смирнова",
            tags: ["launch:2026-10", "flow:5"], utm: UTM(source: "vk", medium: "cpm", campaign: "777", content: "555"),
            createdAt: Support.instant("2026-02-01T07:00:00Z")))])
        // An address in «Менеджер» identifies the manager (hashed) and is not kept as a name.
        #expect(try results[1].get().map(\.data) == [.order(Order(
            orderID: "11", userID: "21", status: .new, amount: 100, currency: "RUB",
            managerID: "email:" + Support.sha256("s4lt" + "boss@school.ru").prefix(16), createdAt: Support.instant("2026-02-01T07:00:00Z")))])
        #expect(results[2] == .failure(.row(BackfillError.Row(column: "Теги", problem: "must have at most 50 tags, got 51"))))
        #expect(results[3] == .failure(.row(BackfillError.Row(column: "Теги", problem: "tag 1 must be at most 200 characters, got 201: \"" + String(repeating: "т", count: 120) + "…\""))))
    }

    @Test func paymentUserGivenByNameIsRefusedWithoutRepeatingTheName() throws {
        let text = "Номер;Заказ;Пользователь;Сумма;Статус;Дата создания\n5553;871035642;Иван Петров;100;accepted;2026-01-15\n5554;871035642;512478330;100;accepted;2026-01-15\n"
        let results = try Support.mapped(.payments, text)
        guard case .failure(.row(let error)) = results[0] else { Issue.record("accepted a name as user id"); return }
        #expect(error.column == "Пользователь")
        #expect(!error.description.contains("Иван"))
        #expect(try results[1].get().map(\.id) == ["getcourse:payment:5554:accepted"])
    }

    @Test func missingColumnsAreNamed() throws {
        let table = try Support.table("ID заказа;Статус;Стоимость, RUB;Дата создания\n")
        #expect(throws: BackfillError.missingColumns(BackfillError.ExportHeader(kind: .orders, missing: ["«id пользователя» or «user_id»"]))) {
            _ = try GetCourseRowMapper(kind: .orders, header: table.header, context: Support.context, decimalSeparator: .comma)
        }
        #expect(throws: BackfillError.missingColumns(BackfillError.ExportHeader(kind: .payments, missing: ["«сумма» or «amount»", "a date: «дата создания» or «дата оплаты» or «дата изменения статуса»"]))) {
            _ = try GetCourseRowMapper(kind: .payments, header: ["Номер", "Заказ", "ID пользователя", "Статус"], context: Support.context, decimalSeparator: .comma)
        }
    }

    @Test func sameRowsGiveIdenticalEventsTwice() throws {
        let first = try Self.events(Support.mapped(.orders, Support.orders))
        let second = try Self.events(Support.mapped(.orders, Support.orders))
        #expect(first == second)
    }
}

@Suite struct BackfillProgressTests {
    @Test(arguments: [
        (1200, 5000, 1200, 3.0, "orders.csv: 1200/5000 rows (24.0%), 400 rows/s, ETA 10s"),
        // Resumed: 2000 rows came from the checkpoint and take no time.
        (3000, 5000, 1000, 2.0, "orders.csv: 3000/5000 rows (60.0%), 500 rows/s, ETA 4s"),
        (1, 3, 1, 0.5, "orders.csv: 1/3 rows (33.3%), 2 rows/s, ETA 1s"),
        (5000, 5000, 5000, 4.0, "orders.csv: 5000/5000 rows (100.0%), 1250 rows/s, ETA 0s"),
        (0, 5000, 0, 0.0, "orders.csv: 0/5000 rows (0.0%), 0 rows/s, ETA unknown"),
        (0, 0, 0, 0.0, "orders.csv: 0/0 rows (100.0%), 0 rows/s, ETA 0s"),
        (10, 100_000, 10, 1.0, "orders.csv: 10/100000 rows (0.0%), 10 rows/s, ETA 2h46m39s"),
    ] as [(Int, Int, Int, Double, String)])
    func line(done: Int, total: Int, doneThisRun: Int, elapsed: Double, expected: String) {
        #expect(BackfillProgress.line(name: "orders.csv", done: done, total: total, doneThisRun: doneThisRun, elapsedSeconds: elapsed) == expected)
    }

    @Test(arguments: [(0.2, "1s"), (45, "45s"), (125, "2m05s"), (3723, "1h02m03s"), (59.5, "1m00s")] as [(Double, String)])
    func duration(seconds: Double, expected: String) {
        #expect(BackfillProgress.duration(seconds) == expected)
    }
}
