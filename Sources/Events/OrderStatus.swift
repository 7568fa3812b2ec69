/// An order's status as the platform reports it; only `paid` makes an order count as paid.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
    case new
    case inWork = "in_work"
    case paid
    case partPaid = "part_paid"
    case cancelled
}
