import Events

/// One manager's orders and money over the period (`bi.managers_daily` summed).
public struct ManagerRow: Sendable, Equatable {
    /// nil for orders whose latest event names no manager (and payments of orders with no event).
    public var managerID: String?
    /// The manager's name from `bi.managers`, nil when none is known.
    public var name: String?
    public var orders: Int
    public var paidOrders: Int
    /// Accepted payments of the manager's orders, gross.
    public var revenue: DecimalNumber

    public init(managerID: String?, name: String? = nil, orders: Int, paidOrders: Int, revenue: DecimalNumber) {
        self.managerID = managerID
        self.name = name
        self.orders = orders
        self.paidOrders = paidOrders
        self.revenue = revenue
    }

    /// `Name (id)`, the id alone when no name is known, `(no manager)` for orders without one (plain text).
    public var label: String {
        guard let managerID else { return "(no manager)" }
        return name.map { "\($0) (\(managerID))" } ?? managerID
    }

    /// paid_orders / orders over the period.
    public var conversion: Ratio? { Ratio(paidOrders, orders) }
}
