import Events

/// One headline figure of the period beside its value in the previous period of the same length.
public struct HeadlineCard: Sendable, Equatable {
    /// Whether a rise is good news, bad news, or neither (spend: more is not better or worse by itself).
    public enum Polarity: Sendable, Equatable {
        case higherIsBetter, lowerIsBetter, neutral
    }

    /// Which way the figure moved, as far as the colour of its change goes.
    public enum Verdict: String, Sendable, Equatable {
        case good, bad, flat
    }

    /// The key tests and the page's markup use (`data-metric`).
    public var metric: String
    public var label: String
    public var value: String
    public var previous: String
    public var change: String
    public var verdict: Verdict

    public init(metric: String, label: String, value: String, previous: String, change: String, verdict: Verdict) {
        self.metric = metric
        self.label = label
        self.value = value
        self.previous = previous
        self.change = change
        self.verdict = verdict
    }

    /// The sixteen cards of the report's headline, in reading order.
    public static func cards(current: FunnelTotals, newUsers: Int, previous: FunnelTotals,
                             previousNewUsers: Int) -> [HeadlineCard] {
        func amount(_ metric: String, _ label: String, _ polarity: Polarity,
                    _ value: (FunnelTotals) -> DecimalNumber) -> HeadlineCard {
            let now = value(current)
            let before = value(previous)
            let change = ReportFormat.change(from: before, to: now)
            return HeadlineCard(metric: metric, label: label, value: ReportFormat.money(now),
                                previous: ReportFormat.money(before), change: ReportFormat.signedPercent(change),
                                verdict: verdict(change, polarity))
        }
        func count(_ metric: String, _ label: String, _ now: Int, _ before: Int) -> HeadlineCard {
            let change = ReportFormat.change(from: DecimalNumber(before), to: DecimalNumber(now))
            return HeadlineCard(metric: metric, label: label, value: ReportFormat.count(now),
                                previous: ReportFormat.count(before), change: ReportFormat.signedPercent(change),
                                verdict: verdict(change, .higherIsBetter))
        }
        /// A ratio whose change is relative (costs per something, average check, ROAS).
        func ratio(_ metric: String, _ label: String, _ polarity: Polarity, _ format: (Ratio?) -> String,
                   _ value: (FunnelTotals) -> Ratio?) -> HeadlineCard {
            let now = value(current)
            let before = value(previous)
            var change: Ratio?
            if let now, let before { change = Ratio.relativeChange(from: before, to: now) }
            return HeadlineCard(metric: metric, label: label, value: format(now), previous: format(before),
                                change: ReportFormat.signedPercent(change), verdict: verdict(change, polarity))
        }
        /// A percentage whose change is in percentage points (ROMI, ДРР).
        func points(_ metric: String, _ label: String, _ polarity: Polarity,
                    _ value: (FunnelTotals) -> Ratio?) -> HeadlineCard {
            let now = value(current)
            let before = value(previous)
            var change: Ratio?
            if let now, let before { change = now - before }
            return HeadlineCard(metric: metric, label: label, value: ReportFormat.percent(now),
                                previous: ReportFormat.percent(before), change: ReportFormat.signedPoints(change),
                                verdict: verdict(change, polarity))
        }
        return [
            amount("revenue", "Revenue", .higherIsBetter) { $0.revenue },
            amount("refunds", "Refunds", .lowerIsBetter) { $0.refunds },
            amount("net_revenue", "Net revenue", .higherIsBetter) { $0.netRevenue },
            amount("spend", "Spend", .neutral) { $0.spend },
            count("payments", "Payments", current.payments, previous.payments),
            ratio("avg_check", "Average check", .higherIsBetter, ReportFormat.money) { $0.averageCheck },
            count("orders", "Orders", current.orders, previous.orders),
            count("paid_orders", "Paid orders", current.paidOrders, previous.paidOrders),
            count("visits", "Visits", current.visits, previous.visits),
            count("registrations", "Registrations", current.registrations, previous.registrations),
            count("new_users", "New users", newUsers, previousNewUsers),
            ratio("cpr", "CPR", .lowerIsBetter, ReportFormat.money) { $0.cpr },
            points("romi", "ROMI", .higherIsBetter) { $0.romi },
            ratio("roas", "ROAS", .higherIsBetter, { ReportFormat.fraction($0) }) { $0.roas },
            points("drr", "ДРР", .lowerIsBetter) { $0.drr },
            ratio("cpo", "CPO", .lowerIsBetter, ReportFormat.money) { $0.cpo },
        ]
    }

    static func verdict(_ change: Ratio?, _ polarity: Polarity) -> Verdict {
        guard let change, !change.rounded(toScale: 1).isZero, polarity != .neutral else { return .flat }
        return change.isNegative == (polarity == .lowerIsBetter) ? .good : .bad
    }
}
