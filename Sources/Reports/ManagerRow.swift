import Events

/// One manager's orders and money over the period (`bi.managers_daily` summed).
public struct ManagerRow: Sendable, Equatable {
    /// nil for orders whose latest event names no manager (and payments of orders with no event).
    public var managerID: String?
    public var orders: Int
    public var paidOrders: Int
    /// Accepted payments of the manager's orders, gross.
    public var revenue: DecimalNumber

    public init(managerID: String?, orders: Int, paidOrders: Int, revenue: DecimalNumber) {
        self.managerID = managerID
        self.orders = orders
        self.paidOrders = paidOrders
        self.revenue = revenue
    }

    /// paid_orders / orders over the period.
    public var conversion: Ratio? { Ratio(paidOrders, orders) }
}
