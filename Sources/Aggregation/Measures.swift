import Events

/// The ten measures of a `funnel_daily` row; adding and subtracting them is how rows change.
public struct FunnelMeasures: Sendable, Hashable {
    public var impressions: Int64 = 0
    public var adClicks: Int64 = 0
    public var spend: DecimalNumber = .zero
    public var visits: Int64 = 0
    public var registrations: Int64 = 0
    public var orders: Int64 = 0
    public var paidOrders: Int64 = 0
    public var payments: Int64 = 0
    public var revenue: DecimalNumber = .zero
    public var refunds: DecimalNumber = .zero

    public init() {}

    /// DecimalNumber compares values, not scales, so `0.00` is zero here too.
    public var isZero: Bool { self == FunnelMeasures() }

    public static func += (lhs: inout FunnelMeasures, rhs: FunnelMeasures) {
        lhs.impressions += rhs.impressions
        lhs.adClicks += rhs.adClicks
        lhs.spend += rhs.spend
        lhs.visits += rhs.visits
        lhs.registrations += rhs.registrations
        lhs.orders += rhs.orders
        lhs.paidOrders += rhs.paidOrders
        lhs.payments += rhs.payments
        lhs.revenue += rhs.revenue
        lhs.refunds += rhs.refunds
    }

    public static prefix func - (operand: FunnelMeasures) -> FunnelMeasures {
        var result = FunnelMeasures()
        result.impressions = -operand.impressions
        result.adClicks = -operand.adClicks
        result.spend = -operand.spend
        result.visits = -operand.visits
        result.registrations = -operand.registrations
        result.orders = -operand.orders
        result.paidOrders = -operand.paidOrders
        result.payments = -operand.payments
        result.revenue = -operand.revenue
        result.refunds = -operand.refunds
        return result
    }

    /// The part of the funnel a user's ledger row contributes.
    public init(_ ledger: LedgerMeasures) {
        registrations = ledger.registrations
        orders = ledger.orders
        paidOrders = ledger.paidOrders
        payments = ledger.payments
        revenue = ledger.revenue
        refunds = ledger.refunds
    }
}

/// What one user contributed on one day (`pipeline.user_daily`), independent of attribution.
public struct LedgerMeasures: Sendable, Hashable {
    public var registrations: Int64 = 0
    public var orders: Int64 = 0
    public var paidOrders: Int64 = 0
    public var payments: Int64 = 0
    public var revenue: DecimalNumber = .zero
    public var refunds: DecimalNumber = .zero

    public init(registrations: Int64 = 0, orders: Int64 = 0, paidOrders: Int64 = 0, payments: Int64 = 0,
                revenue: DecimalNumber = .zero, refunds: DecimalNumber = .zero) {
        self.registrations = registrations
        self.orders = orders
        self.paidOrders = paidOrders
        self.payments = payments
        self.revenue = revenue
        self.refunds = refunds
    }

    public var isZero: Bool {
        registrations == 0 && orders == 0 && paidOrders == 0 && payments == 0 && revenue.isZero && refunds.isZero
    }

    public var money: MonthMoney { MonthMoney(payments: payments, revenue: revenue, refunds: refunds) }

    public static func += (lhs: inout LedgerMeasures, rhs: LedgerMeasures) {
        lhs.registrations += rhs.registrations
        lhs.orders += rhs.orders
        lhs.paidOrders += rhs.paidOrders
        lhs.payments += rhs.payments
        lhs.revenue += rhs.revenue
        lhs.refunds += rhs.refunds
    }

    public static prefix func - (operand: LedgerMeasures) -> LedgerMeasures {
        LedgerMeasures(registrations: -operand.registrations, orders: -operand.orders,
                       paidOrders: -operand.paidOrders, payments: -operand.payments,
                       revenue: -operand.revenue, refunds: -operand.refunds)
    }
}

/// A user's money in one month (`pipeline.user_monthly`).
public struct MonthMoney: Sendable, Hashable {
    public var payments: Int64 = 0
    public var revenue: DecimalNumber = .zero
    public var refunds: DecimalNumber = .zero

    public init(payments: Int64 = 0, revenue: DecimalNumber = .zero, refunds: DecimalNumber = .zero) {
        self.payments = payments
        self.revenue = revenue
        self.refunds = refunds
    }

    public var isZero: Bool { payments == 0 && revenue.isZero && refunds.isZero }

    public static func += (lhs: inout MonthMoney, rhs: MonthMoney) {
        lhs.payments += rhs.payments
        lhs.revenue += rhs.revenue
        lhs.refunds += rhs.refunds
    }
}

/// Counts of each mail event kind for one letter and day.
public struct MailCounts: Sendable, Hashable {
    public var sent: Int64 = 0
    public var delivered: Int64 = 0
    public var opened: Int64 = 0
    public var clicked: Int64 = 0
    public var unsubscribed: Int64 = 0
    public var bounced: Int64 = 0
    public var spam: Int64 = 0

    public init() {}

    mutating func count(_ event: MailEvent) {
        switch event {
        case .sent: sent += 1
        case .delivered: delivered += 1
        case .opened: opened += 1
        case .clicked: clicked += 1
        case .unsubscribed: unsubscribed += 1
        case .bounced: bounced += 1
        case .spam: spam += 1
        }
    }
}

/// Counts of chat events for one chat and day.
public struct ChatCounts: Sendable, Hashable {
    public var messages: Int64 = 0
    public var joins: Int64 = 0
    public var leaves: Int64 = 0

    public init() {}
}
