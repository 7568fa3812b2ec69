import Foundation
import Events

/// SPEC §4.4: the sales team (`managers_daily`).
extension Oracle {
    package func managersDaily() -> [Row] {
        struct Key: Hashable { let project: String; let manager: String?; let day: LocalDate }
        var acc: [Key: (orders: Int, paid: Int, revenue: DecimalNumber)] = [:]
        for (_, order) in model.orders {
            let created = Key(project: order.project, manager: order.manager, day: order.createdDay)
            acc[created, default: (0, 0, 0)].orders += 1
            if let paidDay = order.paidDay {
                acc[Key(project: order.project, manager: order.manager, day: paidDay), default: (0, 0, 0)].paid += 1
            }
        }
        for (_, payment) in model.payments {
            guard let a = payment.accepted else { continue }
            let manager = model.orders[IDKey(project: payment.project, id: a.orderID)]?.manager
            acc[Key(project: payment.project, manager: manager, day: a.day), default: (0, 0, 0)].revenue += a.amount
        }
        return acc.sorted { ($0.key.project, $0.key.manager ?? "", $0.key.day.description) < ($1.key.project, $1.key.manager ?? "", $1.key.day.description) }
            .map { key, v in
                [
                    "project": key.project, "manager_id": key.manager, "day": key.day.description,
                    "orders": String(v.orders), "paid_orders": String(v.paid), "revenue": Self.num(v.revenue),
                    "conversion": Self.ratio(DecimalNumber(v.paid), DecimalNumber(v.orders)),
                ]
            }
    }
}
