import Crypto
import Events
import Foundation
import Logging
import Normalizers
@testable import Backfill

/// Shared inputs: one school in Moscow time (UTC+3 all year), salted like the ingest tests.
enum Support {
    static let context = ProjectContext(project: "school", salt: "s4lt", timeZone: TimeZone(identifier: "Europe/Moscow")!)

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func instant(_ text: String) -> Instant { Instant(rfc3339: text)! }

    /// A CSV export as GetCourse writes it (UTF-8 with BOM, `;`), read through the same table and mapper as the command.
    static func table(_ text: String, format: CSVFormat = CSVFormat()) throws -> CSVExportTable {
        try CSVExportTable(name: "export.csv", bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8), format: format)
    }

    /// Every row's events or error, in order.
    static func mapped(_ kind: GetCourseExportKind, _ text: String, format: CSVFormat = CSVFormat()) throws -> [Result<[Event], BackfillError>] {
        var table = try table(text, format: format)
        let mapper = try GetCourseRowMapper(kind: kind, header: table.header, context: context, decimalSeparator: format.decimalSeparator)
        var results: [Result<[Event], BackfillError>] = []
        while let row = try table.nextRow() {
            results.append(Result { () throws(BackfillError) in try mapper.events(cells: row.cells) })
        }
        return results
    }

    /// Quiet unless BACKFILL_TEST_LOG names a level.
    static func logger() -> Logger {
        var logger = Logger(label: "backfill-tests")
        logger.logLevel = ProcessInfo.processInfo.environment["BACKFILL_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    // Exports shaped like GetCourse's (INPUTS.md §1.5): column titles as real exports have them,
    // personal columns filled, quoted cells with delimiters, a decimal comma and grouped thousands.

    static let ordersHeader = "ID заказа;Номер;ID пользователя;Пользователь;Email;Телефон;Дата создания;Дата оплаты;Title;Состав заказа;Статус;Стоимость, RUB;Оплачено;Налог;Комиссии;Заработано;Валюта;Менеджер;Город;ID партнера;Использован промокод;utm_source;utm_medium;utm_campaign;utm_content;utm_term;user_utm_source;user_utm_medium;user_utm_campaign;user_utm_content;user_utm_term;Теги"

    static let orders = ordersHeader + "\r\n" + [
        "871035642;11892043;512478330;Иван Петров;a@b.ru;+7 900 000-00-00;2026-01-15 09:00:00;2026-01-15 09:03:42;Курс «Старт»;\"Курс \"\"Старт\"\"; модуль 1\";Завершен;\"14 900\";14900;0;\"447,00\";\"14 453,00\";RUB;m@s.ru;Москва;;;yandex;cpc;c123;;;vk;;;;;\"тег1, тег2\"",
        "871035643;11892044;512478331;Анна;anna@b.ru;;2026-01-16 10:00;;Курс;;Новый;\"4 900,50\";0;;;;;Ольга Смирнова;;;;;;;;;;;;;;",
        "871035644;11892045;512478332;;;;2026-01-17 8:30;2026-01-17 12:00:00;\"Курс\nс переносом\";;part_payed;\"1 181,16\";500;;;;USD;;;;;;;;;;;;;;;",
    ].joined(separator: "\r\n") + "\r\n"

    static let usersHeader = "id;Email;Создан;Имя;Фамилия;Телефон;Дата рождения;utm_source;utm_medium;utm_campaign;utm_content;utm_term"

    static let users = usersHeader + "\n" + [
        "512478330; A@B.ru ;2026-01-10 08:15:00;Иван;Петров;+79000000000;1990-01-01;yandex;cpc;spring;ad7;",
        "512478331;;2026-01-10;Анна;;;;;;;;",
    ].joined(separator: "\n") + "\n"

    static let paymentsHeader = "Номер;ID заказа;ID пользователя;Пользователь;Сумма;Статус;Дата создания;Тип;Название"

    static let payments = paymentsHeader + "\n" + [
        "5551;871035642;512478330;Иван Петров;\"14 900 руб.\";Получен;2026-01-15 09:03:42;Карта;Оплата заказа",
        "5552;871035642;512478330;Иван Петров;\"14 900 руб.\";returned;2026-01-20 11:00:00;Карта;Возврат",
        "5553;871035643;512478331;Анна;\"4 900,50 руб.\";Ожидается;2026-01-16 10:00:00;;",
    ].joined(separator: "\n")
}
