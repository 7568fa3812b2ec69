import Verification
import Aggregation
import Events
import Foundation
import PipelineTestSupport
import Kafka
import Postgres
import Testing
import Worker

/// Every `bi` view, read from PostgreSQL after the worker applied a data set, must equal the
/// oracle: a plain recomputation of SPEC §4 from the distinct events, written independently.
@Suite("bi views equal a recomputation from the distinct events")
struct ViewsEndToEndTests {
    /// Reads a view as normalized rows.
    static func read(_ harness: WorkerHarness, _ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> [Oracle.Row] {
        let connection = try harness.connection()
        defer { connection.close() }
        return try BIComparison.read(connection, sql, parameters)
    }

    /// Differences between the database and the oracle, over all views and a few traffic summaries.
    static func differences(_ harness: WorkerHarness, _ oracle: Oracle, summaries: [(String, LocalDate, LocalDate)]) throws -> [String] {
        let connection = try harness.connection()
        defer { connection.close() }
        return try BIComparison.differences(connection, oracle, summaries: summaries.map { (project: $0.0, from: $0.1, to: $0.2) })
    }

    @Test("the hand-computed data set: late registration, paid order, refund at another rate, re-poll, credited click")
    func handComputedDataSet() throws {
        let harness = try WorkerHarness()
        try harness.importRates(OracleSelfTests.rates)
        try harness.produce(OracleSelfTests.events.map { String(decoding: $0.encodeJSON(), as: UTF8.self) })
        let summary = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        #expect(summary.deadLetters == 1)  // ord-2: no EUR rate
        let differences = try Self.differences(harness, OracleSelfTests.oracle, summaries: [
            ("p", LocalDate("2026-03-01")!, LocalDate("2026-03-31")!),
            ("p", LocalDate("2026-03-10")!, LocalDate("2026-03-10")!),
        ])
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        // A few figures by hand, so this test does not rest on the oracle alone: u1's late
        // registration through yandex carries the order, the paid order and the payment
        // (10 USD × 90.1234 = 901.234 → 901.23) of 03-10/03-11 to yandex_direct/c9/a9.
        let funnel = try Self.read(harness, """
            SELECT day, registrations, orders, paid_orders, payments, revenue, refunds, spend FROM bi.funnel_daily
            WHERE network = 'yandex_direct' AND campaign_id = 'c9' AND ad_id = 'a9' ORDER BY day
            """)
        func row(_ day: String, registrations: String = "0", orders: String = "0", paid: String = "0",
                 payments: String = "0", revenue: String = "0", refunds: String = "0", spend: String = "0") -> Oracle.Row {
            ["day": day, "registrations": registrations, "orders": orders, "paid_orders": paid, "payments": payments,
             "revenue": revenue, "refunds": refunds, "spend": spend]
        }
        #expect(funnel == [
            row("2026-03-05", registrations: "1"),                        // reg-1, the first registration
            row("2026-03-10", registrations: "1", orders: "1", spend: "610.5"),  // reg-2; o1 created; 600.50 + 10
            row("2026-03-11", paid: "1", payments: "1", revenue: "901.23"),  // o1 paid; pay1 accepted
            row("2026-04-02", refunds: "955.55"),                         // pay1 refunded: 10 × 95.555
        ])

        // Running totals of the creative, day by day: profit = revenue − refunds − spend.
        let creative = try Self.read(harness, """
            SELECT day, spend, impressions, ad_clicks, registrations, revenue, profit, cum_spend, cum_revenue, cum_profit
            FROM bi.creative_daily WHERE network = 'yandex_direct' AND campaign_id = 'c9' AND ad_id = 'a9' ORDER BY day
            """)
        let creativeTable: [[String?]] = creative.map { row in
            ["day", "profit", "cum_spend", "cum_revenue", "cum_profit"].map { column in row[column] ?? nil }
        }
        #expect(creativeTable == [
            ["2026-03-05", "0", "0", "0", "0"],
            ["2026-03-10", "-610.5", "610.5", "0", "-610.5"],
            ["2026-03-11", "901.23", "610.5", "901.23", "290.73"],
            ["2026-04-02", "-955.55", "610.5", "901.23", "-664.82"],  // 290.73 − 955.55
        ])
        #expect(creative[1]["impressions"] == "125" && creative[1]["ad_clicks"] == "13")  // 120 + 5, 12 + 1

        // The ratios of 03-10: cpc 610.5/13, ctr 13/125, cpa 610.5/1 order, romi (0 − 0 − 610.5)/610.5 × 100;
        // no paid order, no visit and no net revenue: cpo, cr_visit and drr are NULL.
        let report = try Self.read(harness, """
            SELECT cpc, cpr, cpa, cpo, roas, romi, drr, ctr, cr_visit, cr_order, cr_paid FROM bi.traffic_report
            WHERE day = '2026-03-10' AND network = 'yandex_direct'
            """)
        #expect(report == [[
            "cpc": "46.961538", "cpr": "610.5", "cpa": "610.5", "cpo": nil, "roas": "0", "romi": "-100", "drr": nil,
            "ctr": "0.104", "cr_visit": nil, "cr_order": "1", "cr_paid": "0",
        ]])

        // Mail: counts per kind and day; unique opens and clicks on the day of each user's first one.
        let mail = try Self.read(harness, """
            SELECT channel, letter_id, day, sent, delivered, opened, clicked, unique_opens, unique_clicks
            FROM bi.mail_daily ORDER BY channel, letter_id, day
            """)
        let mailColumns = ["channel", "letter_id", "day", "sent", "delivered", "opened", "clicked", "unique_opens",
                           "unique_clicks"]
        let mailTable: [[String]] = mail.map { row in mailColumns.map { column in (row[column] ?? nil) ?? "NULL" } }
        #expect(mailTable == [
            ["email", "L1", "2026-03-08", "1", "1", "0", "0", "0", "0"],
            ["email", "L1", "2026-03-09", "0", "0", "2", "1", "1", "1"],  // m-3 and m-5 open, one user
            ["telegram", "L2", "2026-03-01", "0", "0", "0", "1", "0", "1"],
        ])

        // Chat: u3's message at 21:30Z on 04-30 is 00:30 on 05-01 in Moscow.
        #expect(try Self.read(harness, "SELECT chat_id, day, messages, active_members, joins, leaves FROM bi.chat_daily") == [
            ["chat_id": "ch", "day": "2026-05-01", "messages": "1", "active_members": "1", "joins": "0", "leaves": "0"],
        ])
    }

    @Test("random data sets, duplicated and shuffled across keys, applied by restarted workers", arguments: [11, 23, 37])
    func randomDataSets(seed: UInt64) throws {
        var generator = RandomEvents(seed: seed)
        let data = generator.dataSet(count: 450)
        let harness = try WorkerHarness(partitions: 3)
        try harness.importRates(data.rates)
        try harness.produce(data.deliveries)

        // Several short runs with tiny batches, each stopped after a few batches, then one to the end:
        // every restart resumes from the offsets stored with the aggregates.
        for run in 0..<3 {
            var configuration = harness.workerConfiguration(untilCaughtUp: true, batch: 7 + run * 5)
            configuration.projects = data.projects
            let batches = LockedCounter()
            _ = try PipelineWorker(configuration: configuration, logger: harness.logger)
                .run(shouldStop: { batches.increment() > 6 })
        }
        var configuration = harness.workerConfiguration(untilCaughtUp: true, batch: 50)
        configuration.projects = data.projects
        _ = try PipelineWorker(configuration: configuration, logger: harness.logger).run()

        let oracle = data.oracle
        let differences = try Self.differences(harness, oracle, summaries: [
            ("alpha", LocalDate("2026-02-01")!, LocalDate("2026-02-28")!),
            ("beta", LocalDate("2026-01-15")!, LocalDate("2026-03-15")!),
        ])
        #expect(differences.isEmpty, "seed \(seed):\n\(differences.prefix(40).joined(separator: "\n"))")
    }
}

/// Counts calls from the worker's stop check.
final class LockedCounter: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
