import Foundation
import Events

/// GetCourse's deal status codes, mapped once for the callback and the JSON webhook so both routes agree.
///
/// | GetCourse code | order status | why |
/// |---|---|---|
/// | `new` | `new` | |
/// | `pending`, `in_work`, `not_confirmed`, `payment_waiting` | `in_work` | open, not paid yet |
/// | `payed` | `paid` | |
/// | `part_payed` | `part_paid` | `payedValue < cost`; not a paid order |
/// | `cancelled` | `cancelled` | |
/// | `false` | `cancelled` | «Ложный»: GetCourse excludes it from sales, so must we |
/// | `waiting_for_return` | `cancelled` | a refund was requested; the money itself leaves through a `returned` payment |
///
/// Codes are matched after trimming and lower-casing; anything else is rejected rather than guessed.
enum GetCourseStatus {
    static let table: [String: OrderStatus] = [
        "new": .new,
        "pending": .inWork, "in_work": .inWork, "not_confirmed": .inWork, "payment_waiting": .inWork,
        "payed": .paid,
        "part_payed": .partPaid,
        "cancelled": .cancelled, "false": .cancelled, "waiting_for_return": .cancelled,
    ]

    /// The code as it goes into event ids: the source's word, so two codes mapped alike stay distinct facts.
    static func code(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespaces).lowercased()
    }

    static func orderStatus(_ raw: String, field: String) throws(NormalizationError) -> OrderStatus {
        if let status = table[code(raw)] { return status }
        let known = table.keys.sorted().joined(separator: ", ")
        throw NormalizationError(field: field, problem: "must be a GetCourse deal status (\(known)), got \(quoted(raw))")
    }
}
