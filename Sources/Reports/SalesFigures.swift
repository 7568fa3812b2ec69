import Events

/// The money measures of `bi.products_daily` and `bi.order_tags_daily` summed over a period, each
/// following the order's current state (SPEC §4.9).
public struct SalesFigures: Sendable, Equatable {
    /// Orders created in the period.
    public var orders: Int
    /// Orders that became paid in the period.
    public var paidOrders: Int
    /// Accepted payments in the period.
    public var payments: Int
    /// Those payments' sum, gross.
    public var revenue: DecimalNumber
    /// Refunds on the period's days.
    public var refunds: DecimalNumber

    public init(orders: Int = 0, paidOrders: Int = 0, payments: Int = 0, revenue: DecimalNumber = .zero,
                refunds: DecimalNumber = .zero) {
        self.orders = orders
        self.paidOrders = paidOrders
        self.payments = payments
        self.revenue = revenue
        self.refunds = refunds
    }

    public static let zero = SalesFigures()

    public static func + (lhs: SalesFigures, rhs: SalesFigures) -> SalesFigures {
        SalesFigures(orders: lhs.orders + rhs.orders, paidOrders: lhs.paidOrders + rhs.paidOrders,
                     payments: lhs.payments + rhs.payments, revenue: lhs.revenue + rhs.revenue,
                     refunds: lhs.refunds + rhs.refunds)
    }

    /// Average check = revenue / payments (accepted payments), exactly SPEC §4.9's `avg_check` and the
    /// headline's: a paid order settled in two instalments counts as two checks. nil when there was no payment.
    public var averageCheck: Ratio? { Ratio(revenue, DecimalNumber(payments)) }

    public var isEmpty: Bool { self == .zero }
}
