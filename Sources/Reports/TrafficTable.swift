import Events

/// The traffic table's lines: ads grouped by network and campaign, a subtotal under every campaign of
/// several ads, and the grand total last.
public enum TrafficTable {
    /// What a line sums.
    public enum Kind: Sendable, Equatable {
        case ad, campaign, total
    }

    /// One line of the table.
    public struct Line: Sendable, Equatable {
        public var kind: Kind
        public var row: TrafficRow
    }

    /// The lines for `rows` (in any order): sorted by network, campaign, ad in byte order (as SQL's `COLLATE "C"`).
    public static func lines(_ rows: [TrafficRow]) -> [Line] {
        func key(_ row: TrafficRow) -> [[UInt8]] { [Array(row.network.utf8), Array(row.campaignID.utf8), Array(row.adID.utf8)] }
        let sorted = rows.sorted { key($0).lexicographicallyPrecedes(key($1)) { $0.lexicographicallyPrecedes($1) } }
        var lines: [Line] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end < sorted.count, sorted[end].network == sorted[index].network,
                  sorted[end].campaignID == sorted[index].campaignID {
                end += 1
            }
            let campaign = sorted[index..<end]
            lines += campaign.map { Line(kind: .ad, row: $0) }
            if campaign.count > 1 {
                lines.append(Line(kind: .campaign, row: sum(campaign, network: sorted[index].network,
                                                            campaignID: sorted[index].campaignID, adID: "")))
            }
            index = end
        }
        if !sorted.isEmpty {
            lines.append(Line(kind: .total, row: sum(sorted[...], network: "", campaignID: "", adID: "")))
        }
        return lines
    }

    static func sum(_ rows: ArraySlice<TrafficRow>, network: String, campaignID: String, adID: String) -> TrafficRow {
        TrafficRow(network: network, campaignID: campaignID, adID: adID,
                   totals: rows.reduce(FunnelTotals.zero) { $0 + $1.totals },
                   npc: rows.reduce(DecimalNumber.zero) { $0 + $1.npc })
    }
}
