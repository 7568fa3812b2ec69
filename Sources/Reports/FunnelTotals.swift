import Events

/// The ten measures of `bi.funnel_daily` summed over any grouping (a period, an ad, a campaign),
/// with the ratios of SPEC §4.1 computed from the sums, never averaged from daily ratios.
public struct FunnelTotals: Sendable, Equatable {
    public var impressions = 0
    public var adClicks = 0
    public var spend: DecimalNumber = .zero
    public var visits = 0
    public var registrations = 0
    public var orders = 0
    public var paidOrders = 0
    public var payments = 0
    public var revenue: DecimalNumber = .zero
    public var refunds: DecimalNumber = .zero

    public init(impressions: Int = 0, adClicks: Int = 0, spend: DecimalNumber = .zero, visits: Int = 0,
                registrations: Int = 0, orders: Int = 0, paidOrders: Int = 0, payments: Int = 0,
                revenue: DecimalNumber = .zero, refunds: DecimalNumber = .zero) {
        self.impressions = impressions
        self.adClicks = adClicks
        self.spend = spend
        self.visits = visits
        self.registrations = registrations
        self.orders = orders
        self.paidOrders = paidOrders
        self.payments = payments
        self.revenue = revenue
        self.refunds = refunds
    }

    public static let zero = FunnelTotals()

    public static func + (lhs: FunnelTotals, rhs: FunnelTotals) -> FunnelTotals {
        FunnelTotals(
            impressions: lhs.impressions + rhs.impressions, adClicks: lhs.adClicks + rhs.adClicks,
            spend: lhs.spend + rhs.spend, visits: lhs.visits + rhs.visits,
            registrations: lhs.registrations + rhs.registrations, orders: lhs.orders + rhs.orders,
            paidOrders: lhs.paidOrders + rhs.paidOrders, payments: lhs.payments + rhs.payments,
            revenue: lhs.revenue + rhs.revenue, refunds: lhs.refunds + rhs.refunds)
    }

    /// Revenue − refunds.
    public var netRevenue: DecimalNumber { revenue - refunds }
    /// Revenue − refunds − spend, the quantity ROMI and the burnout curves are made of.
    public var profit: DecimalNumber { revenue - refunds - spend }

    /// spend / ad_clicks.
    public var cpc: Ratio? { Ratio(spend, DecimalNumber(adClicks)) }
    /// spend / registrations.
    public var cpr: Ratio? { Ratio(spend, DecimalNumber(registrations)) }
    /// spend / orders.
    public var cpa: Ratio? { Ratio(spend, DecimalNumber(orders)) }
    /// spend / paid_orders.
    public var cpo: Ratio? { Ratio(spend, DecimalNumber(paidOrders)) }
    /// revenue / spend (a fraction).
    public var roas: Ratio? { Ratio(revenue, spend) }
    /// (revenue − refunds − spend) / spend × 100.
    public var romi: Ratio? { Ratio(profit * 100, spend) }
    /// spend / (revenue − refunds) × 100 (ДРР).
    public var drr: Ratio? { Ratio(spend * 100, netRevenue) }
    /// revenue / payments.
    public var averageCheck: Ratio? { Ratio(revenue, DecimalNumber(payments)) }
    /// ad_clicks / impressions.
    public var ctr: Ratio? { Ratio(adClicks, impressions) }
    /// registrations / visits.
    public var crVisit: Ratio? { Ratio(registrations, visits) }
    /// orders / registrations.
    public var crOrder: Ratio? { Ratio(orders, registrations) }
    /// paid_orders / orders.
    public var crPaid: Ratio? { Ratio(paidOrders, orders) }

    /// Whether no fact contributes (every measure is zero).
    public var isEmpty: Bool { self == .zero }
}
