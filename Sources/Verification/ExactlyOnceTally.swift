import Aggregation
import Postgres

/// How many units the views lost or counted twice against the oracle: the exactly-once figure a chaos
/// run or a benchmark reports, beside the full row-by-row comparison of `BIComparison`.
///
/// Definition (per view row key, per count measure): `lost` adds max(0, oracle − view) and
/// `doubleCounted` adds max(0, view − oracle); a row missing on one side counts as 0 there. On top,
/// the ids in `pipeline.applied_batches` (16-byte hashes) are compared with the oracle's applied ids
/// hashed alike: an expected id missing is one lost, an id present that should not be (e.g. an event
/// that had to be dead-lettered) or stored twice is one double-counted.
package struct ExactlyOnceTally: Sendable, Equatable {
    package var lost = 0
    package var doubleCounted = 0
    /// Units compared: the oracle's total of every count measure plus its applied ids.
    package var expectedUnits = 0

    package init(lost: Int = 0, doubleCounted: Int = 0, expectedUnits: Int = 0) {
        self.lost = lost
        self.doubleCounted = doubleCounted
        self.expectedUnits = expectedUnits
    }

    /// The count measures of the views: visits, registrations, orders, payments, ad impressions and
    /// clicks (the ad rows), mail events, chat messages, joins and leaves. Money and ratios are left to
    /// the full comparison: a double-applied event always shows here as a surplus of some count.
    package static let countMeasures: [String: [String]] = [
        "funnel_daily": ["impressions", "ad_clicks", "visits", "registrations", "orders", "paid_orders", "payments"],
        "managers_daily": ["orders", "paid_orders"],
        "mail_daily": ["sent", "delivered", "opened", "clicked", "unsubscribed", "bounced", "spam"],
        "chat_daily": ["messages", "joins", "leaves"],
    ]

    /// Compares the count measures of `rows` (one view, both sides normalized) and adds the result.
    package mutating func add(view: String, expected: [Oracle.Row], actual: [Oracle.Row]) {
        let key = Oracle.keys[view]!
        func keyed(_ rows: [Oracle.Row]) -> [String: Oracle.Row] {
            var result: [String: Oracle.Row] = [:]
            for row in rows { result[key.map { "\(String(describing: row[$0] ?? nil))" }.joined(separator: "|")] = row }
            return result
        }
        let expectedByKey = keyed(expected), actualByKey = keyed(actual)
        for rowKey in Set(expectedByKey.keys).union(actualByKey.keys) {
            for measure in Self.countMeasures[view] ?? [] {
                let e = Self.count(expectedByKey[rowKey]?[measure]), a = Self.count(actualByKey[rowKey]?[measure])
                expectedUnits += e
                if a < e { lost += e - a } else { doubleCounted += a - e }
            }
        }
    }

    /// Adds the comparison of applied ids (or of their hashes); `actualIDs` as stored, so an id
    /// stored twice counts as double-counted.
    package mutating func add<ID: Hashable>(expectedIDs: Set<ID>, actualIDs: [ID]) {
        let actual = Set(actualIDs)
        expectedUnits += expectedIDs.count
        lost += expectedIDs.subtracting(actual).count
        doubleCounted += actual.subtracting(expectedIDs).count + (actualIDs.count - actual.count)
    }

    private static func count(_ value: String??) -> Int {
        guard case .some(.some(let text)) = value else { return 0 }
        return Int(text) ?? 0
    }

    /// The tally of a database against the oracle, over every count measure and `applied_batches`.
    package static func measure(_ connection: PostgresConnection, _ oracle: Oracle, stateSchema: String = "pipeline") throws
        -> ExactlyOnceTally
    {
        var tally = ExactlyOnceTally()
        for view in countMeasures.keys.sorted() {
            tally.add(view: view, expected: oracle.rows(view: view)!,
                      actual: try BIComparison.read(connection, "SELECT * FROM bi.\(view)"))
        }
        var stored: [EventIDHash] = []
        for row in try connection.execute("SELECT encode(id_hashes, 'hex') FROM \(stateSchema).applied_batches").rows {
            stored += EventIDHash.parse(hex: row[0] ?? "") ?? []
        }
        tally.add(expectedIDs: Set(oracle.applied.map { EventIDHash(id: $0.id) }), actualIDs: stored)
        return tally
    }
}
