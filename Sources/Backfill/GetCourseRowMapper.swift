import Events
import Foundation
import Normalizers

/// Maps rows of a GetCourse export (CSV or Export API; both carry the UI's column titles) to SPEC events.
///
/// A row is rewritten into the query parameters of the live «Вызвать URL» callback and handed to
/// `GetCourseCallback`, so statuses, amounts, e-mail hashing, dates and above all the event ids are the live
/// path's own: an order, payment or user already sent by a callback gets the same id from the backfill and is
/// counted once. Only `source` differs (`backfill`), which the worker never compares.
///
/// Column titles are matched case-insensitively, trimmed, `ё` as `е`; the first alias present wins:
///
/// | export | parameter | columns |
/// |---|---|---|
/// | users | user_id | `id`, `ID пользователя`, `user_id` (required) |
/// | users | created_at | `Создан`, `Дата создания`, `Дата регистрации`, `created_at` (required) |
/// | users | email | `Email`, `E-mail`, `email` (hashed with the project's salt) |
/// | users | utm_*, user_utm_*, visitor_id | same titles |
/// | orders | order_id | `ID заказа`, `order_id` (required; not `Номер`, the human number) |
/// | orders | user_id | `ID пользователя`, `user_id` (required) |
/// | orders | status | `Статус`, `status` (required; codes or UI labels, see `GetCourseStatusLabels`) |
/// | orders | cost_money_value | `Стоимость, <currency code>` (e.g. `Стоимость, RUB`), `Стоимость`, `cost_money_value`, `cost` (required) |
/// | orders | currency | `Валюта`, else the code in the cost title, else RUB (the callback's default) |
/// | orders | created_at, payed_at, status_changed_at | `Дата создания` (required), `Дата оплаты`, `Дата изменения статуса` |
/// | orders | product | `Title`, `product` |
/// | orders | positions | `Состав заказа`, `positions` (the order's `offer`, and its `product` when there is no `Title`) |
/// | orders | manager_email | `Email менеджера`, `manager_email`, or `Менеджер` when it holds an e-mail |
/// | orders | manager_name | `Менеджер`, `manager_name` when it holds no e-mail |
/// | orders | deal_utm_* | `utm_source` … `utm_term`, `deal_utm_*` (the order's own UTM; `user_utm_*` are the user's, not read) |
/// | orders | tags | `Теги`, `tags` (comma-separated, as the callback's `tags`) |
/// | payments | payment_id | `ID платежа`, `Номер`, `id`, `payment_id` (required) |
/// | payments | order_id | `ID заказа`, `Заказ`, `order_id` (required) |
/// | payments | user_id | `ID пользователя`, `user_id`, or `Пользователь` when it holds a numeric id (required) |
/// | payments | amount | `Сумма`, `amount` (required; `300 руб.` reads as 300 RUB) |
/// | payments | status_changed_at, payed_at, created_at | `Дата изменения статуса`, `Дата оплаты`, `Дата создания` (one required) |
///
/// Never read: customers' names, phones, cities, birthdays, partner columns (nothing personal leaves in clear), and
/// the API deals export's `Теги предложений`, which are the offer's tags, not the order's.
/// A manager given only by name gets `manager_name` but no `manager_id`: the live path identifies managers by
/// hashed e-mail, and a name-based id would split one manager in two.
public struct GetCourseRowMapper: Sendable {
    public let kind: GetCourseExportKind
    public let header: [String]
    let callback: GetCourseCallback
    let decimalSeparator: DecimalSeparator
    /// Callback parameter → column index, resolved once from the header.
    let columns: [String: Int]
    let titleCurrency: String?

    /// Columns per export: parameter, aliases (normalized titles), required.
    static let specs: [GetCourseExportKind: [(parameter: String, aliases: [String], required: Bool)]] = [
        .users: [
            ("user_id", ["id", "id пользователя", "user_id"], true),
            ("created_at", ["создан", "дата создания", "дата регистрации", "created_at"], true),
            ("email", ["email", "e-mail"], false),
            ("visitor_id", ["visitor_id"], false),
        ] + utmSpecs,
        .orders: [
            ("order_id", ["id заказа", "order_id"], true),
            ("user_id", ["id пользователя", "user_id"], true),
            ("status", ["статус", "status"], true),
            ("cost_money_value", ["стоимость", "cost_money_value", "cost"], true),
            ("currency", ["валюта", "currency"], false),
            ("created_at", ["дата создания", "created_at"], true),
            ("payed_at", ["дата оплаты", "payed_at"], false),
            ("status_changed_at", ["дата изменения статуса", "status_changed_at"], false),
            ("product", ["title", "product"], false),
            ("positions", ["состав заказа", "positions"], false),
            ("manager_email", ["email менеджера", "manager_email"], false),
            ("manager_name", ["менеджер", "manager_name"], false),
            ("tags", ["теги", "tags"], false),
        ] + dealUTMSpecs,
        .payments: [
            ("payment_id", ["id платежа", "номер", "id", "payment_id"], true),
            ("order_id", ["id заказа", "заказ", "order_id"], true),
            ("user_id", ["id пользователя", "user_id", "пользователь"], true),
            ("amount", ["сумма", "amount"], true),
            ("currency", ["валюта", "currency"], false),
            ("status", ["статус", "status"], true),
            ("status_changed_at", ["дата изменения статуса", "status_changed_at"], false),
            ("payed_at", ["дата оплаты", "payed_at"], false),
            ("created_at", ["дата создания", "created_at"], false),
        ],
    ]

    static let utmSpecs: [(parameter: String, aliases: [String], required: Bool)] =
        ["source", "medium", "campaign", "content", "term"].flatMap { part in
            [("utm_" + part, ["utm_" + part], false), ("user_utm_" + part, ["user_utm_" + part], false)]
        }

    /// An orders export's `utm_*` are the deal's own tags (INPUTS.md §1.5), the callback's `deal_utm_*`.
    static let dealUTMSpecs: [(parameter: String, aliases: [String], required: Bool)] =
        ["source", "medium", "campaign", "content", "term"].map { part in
            ("deal_utm_" + part, ["utm_" + part, "deal_utm_" + part], false)
        }

    static let dateParameters: Set<String> = ["created_at", "payed_at", "status_changed_at"]

    static func normalizedTitle(_ title: String) -> String {
        title.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
            .lowercased().replacingOccurrences(of: "ё", with: "е")
    }

    /// - Throws: `BackfillError.missingColumns` naming the missing columns and the titles that would do.
    public init(kind: GetCourseExportKind, header: [String], context: ProjectContext, decimalSeparator: DecimalSeparator) throws(BackfillError) {
        self.kind = kind
        self.header = header
        self.callback = GetCourseCallback(context: context)
        self.decimalSeparator = decimalSeparator
        let titles = header.map(Self.normalizedTitle)
        var columns: [String: Int] = [:]
        var missing: [String] = []
        var titleCurrency: String?
        for spec in Self.specs[kind]! {
            var found: Int?
            for alias in spec.aliases {
                if let index = titles.firstIndex(of: alias) { found = index; break }
                // "Стоимость, RUB": the title carries the account's currency.
                if alias == "стоимость", let index = titles.firstIndex(where: { $0.hasPrefix("стоимость,") }) {
                    found = index
                    titleCurrency = ExportCells.currencyInTitle(header[index])
                    break
                }
            }
            if let found { columns[spec.parameter] = found } else if spec.required {
                missing.append(spec.aliases.map { "«\($0)»" }.joined(separator: " or "))
            }
        }
        if kind == .payments, !["status_changed_at", "payed_at", "created_at"].contains(where: { columns[$0] != nil }) {
            missing.append("a date: «дата создания» or «дата оплаты» or «дата изменения статуса»")
        }
        guard missing.isEmpty else { throw .missingColumns(BackfillError.ExportHeader(kind: kind, missing: missing)) }
        self.columns = columns
        self.titleCurrency = titleCurrency
    }

    /// The events one row implies (none for a payment that moved no money, e.g. `expected`).
    /// - Throws: `BackfillError.row` naming the column (as the export titles it) and the problem.
    public func events(cells: [String]) throws(BackfillError) -> [Event] {
        if cells.count > header.count, cells[header.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .row(BackfillError.Row(column: nil, problem: "has \(cells.count) cells but the header has \(header.count) columns (wrong --delimiter, or an unquoted delimiter in a cell?)"))
        }
        var query: [String: String] = [:]
        var titleOf: [String: String] = [:]
        var managerEmailInNameColumn: (value: String, title: String)?
        for (parameter, index) in columns {
            let value = index < cells.count ? cells[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
            guard !value.isEmpty else { continue }
            let title = header[index].trimmingCharacters(in: .whitespaces)
            titleOf[parameter] = title
            switch parameter {
            case "cost_money_value", "amount":
                do {
                    let money = try ExportCells.money(value, decimalSeparator: decimalSeparator)
                    query[parameter] = money.amount
                    if let currency = money.currency, query["currency"] == nil { query["currency"] = currency }
                } catch {
                    throw .row(BackfillError.Row(column: title, problem: error.problem))
                }
            case "status":
                query[parameter] = GetCourseStatusLabels.code(value, kind: kind)
            case "manager_email":
                if value.contains("@") { query[parameter] = value }
            case "manager_name" where value.contains("@"):
                // «Менеджер» usually holds a name, sometimes the address: only an address identifies a manager the
                // way live calls do, and it must not leave in clear as a name.
                managerEmailInNameColumn = (value, title)
                titleOf[parameter] = nil
            case "user_id" where Self.normalizedTitle(title) == "пользователь":
                // The value may be a name: say what is wrong without repeating it.
                guard value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                    throw .row(BackfillError.Row(column: title, problem: "must be a numeric user id (this export holds names here: export with «ID пользователя»)"))
                }
                query[parameter] = value
            case _ where Self.dateParameters.contains(parameter):
                query[parameter] = ExportCells.date(value)
            default:
                query[parameter] = value
            }
        }
        if query["manager_email"] == nil, let found = managerEmailInNameColumn {
            query["manager_email"] = found.value
            titleOf["manager_email"] = found.title
        }
        if let currencyIndex = columns["currency"], currencyIndex < cells.count,
           !cells[currencyIndex].trimmingCharacters(in: .whitespaces).isEmpty {
            query["currency"] = cells[currencyIndex].trimmingCharacters(in: .whitespaces)
        } else if query["currency"] == nil, let titleCurrency {
            query["currency"] = titleCurrency
            titleOf["currency"] = header[columns["cost_money_value"]!]
        }
        // The callback dates a dateless payment by its arrival; a backfill has no arrival, so it must be told.
        if kind == .payments, !["status_changed_at", "payed_at", "created_at"].contains(where: { query[$0] != nil }) {
            let dates = ["status_changed_at", "payed_at", "created_at"].compactMap { columns[$0] }.map { "«\(header[$0])»" }
            throw .row(BackfillError.Row(column: nil, problem: "has no date: \(dates.joined(separator: ", ")) all empty"))
        }
        let events: [Event]
        do {
            events = try callback.normalize(kind: kind.callbackKind, query: query, receivedAt: Instant(microsecondsSinceEpoch: 0))
        } catch {
            let title = titleOf[error.field] ?? columns[error.field].map { header[$0] } ?? error.field
            throw .row(BackfillError.Row(column: title, problem: error.problem))
        }
        return events.map {
            Event(id: $0.id, project: $0.project, source: Self.source, occurredAt: $0.occurredAt, occurredAtText: $0.occurredAtText, data: $0.data)
        }
    }

    /// SPEC §2 names `backfill` among the sources; the id, not the source, says which fact it is.
    public static let source = "backfill"
}

extension BackfillError {
    /// An export whose header lacks columns the events need; nothing of it can be imported.
    public struct ExportHeader: Sendable, Hashable, CustomStringConvertible {
        public var kind: GetCourseExportKind
        public var missing: [String]
        public var description: String {
            "header: the \(kind.rawValue) export needs the column(s) \(missing.joined(separator: "; ")) (titles are matched case-insensitively)"
        }
    }

    /// One row that gives no event, and why; safe to print (cell values are quoted only for non-personal columns).
    public struct Row: Sendable, Hashable, CustomStringConvertible {
        /// The column title as the export writes it, nil when the row as a whole is wrong.
        public var column: String?
        public var problem: String
        public var description: String {
            if let column { return "column «\(column)»: \(problem)" }
            return problem
        }
    }
}
