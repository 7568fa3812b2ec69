import Normalizers

/// The three GetCourse exports the backfill reads, as CSV files or through the Export API.
public enum GetCourseExportKind: String, Sendable, Hashable, CaseIterable, Codable {
    case users
    case orders
    case payments

    /// The Export API's path segment (`/pl/api/account/deals`): orders are "deals" there.
    public var apiPath: String {
        switch self {
        case .users: "users"
        case .orders: "deals"
        case .payments: "payments"
        }
    }

    /// Reads `deals` as orders too, since the API and the UI name them differently.
    public init?(name: String) {
        switch name.lowercased() {
        case "users", "user": self = .users
        case "orders", "order", "deals", "deal": self = .orders
        case "payments", "payment": self = .payments
        default: return nil
        }
    }

    var callbackKind: GetCourseCallback.Kind {
        switch self {
        case .users: .user
        case .orders: .order
        case .payments: .payment
        }
    }
}

/// Russian and English UI labels of GetCourse statuses, as the «Статус» column of a UI export may show them,
/// mapped to the API codes the callback normalizer knows.
///
/// No authoritative list was found (INPUTS.md §1.3, §12): these are the labels of GetCourse's interface,
/// matched case-insensitively with `ё` as `е`; codes pass through unchanged; anything else is an error
/// naming the column, never a guess.
enum GetCourseStatusLabels {
    static let deal: [String: String] = [
        "новый": "new", "new": "new",
        "в работе": "in_work", "in work": "in_work", "in progress": "in_work",
        "ожидаем оплаты": "payment_waiting", "ожидает оплаты": "payment_waiting", "waiting for payment": "payment_waiting",
        "не подтвержден": "not_confirmed", "ожидает подтверждения": "not_confirmed",
        "в обработке": "pending",
        "частично оплачен": "part_payed", "partially paid": "part_payed",
        "завершен": "payed", "оплачен": "payed", "completed": "payed", "paid": "payed",
        "отменен": "cancelled", "canceled": "cancelled",
        "ложный": "false",
        "ожидаем возврата": "waiting_for_return", "ожидает возврата": "waiting_for_return",
    ]

    static let payment: [String: String] = [
        "получен": "accepted", "принят": "accepted", "оплачен": "accepted", "accepted": "accepted",
        "ожидается": "expected", "ожидаем": "expected", "expected": "expected",
        "возврат": "returned", "возвращен": "returned", "returned": "returned",
        "возврат на баланс": "returned_to_balance", "на баланс": "tobalance", "с баланса": "frombalance",
    ]

    static func code(_ raw: String, kind: GetCourseExportKind) -> String {
        let key = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "ё", with: "е")
        let table = kind == .payments ? payment : deal
        return table[key] ?? raw
    }
}
