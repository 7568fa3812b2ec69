import CurrencyRates
import Events
import Foundation
import Logging
import MetricsTestKit
import PipelineTestSupport
import Pollers
import Postgres
import Testing
import Worker

/// A database holding only `pipeline.fx_rates`, as `pipeline migrate` creates it.
struct RatesDatabase {
    let url: String

    init() throws {
        url = try ThrowawayPostgres.shared.createDatabase(prefix: "cbr")
        try withConnection { connection in
            try connection.execute("CREATE SCHEMA IF NOT EXISTS pipeline")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS pipeline.fx_rates (
                    base_currency text, currency text, day date, rate numeric,
                    PRIMARY KEY (base_currency, currency, day))
                """)
        }
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try PostgresConnection(connectionString: url, logger: pollerTestLogger())
        defer { connection.close() }
        return try body(connection)
    }

    /// Every stored rate as `BASE CUR day rate`, the rate as PostgreSQL prints the numeric.
    func rows() throws -> [String] {
        try withConnection { connection in
            try connection.execute(
                "SELECT base_currency, currency, day::text, rate::text FROM pipeline.fx_rates ORDER BY 1, 2, 3"
            ).rows.map { row in (0..<4).map { row[$0] ?? "NULL" }.joined(separator: " ") }
        }
    }
}

@Suite("currency poller: Bank of Russia rates into pipeline.fx_rates")
struct CBRRatesPollerTests {
    static let start = Instant("2026-03-02T09:00:00Z")  // 12:00 in Moscow, a Monday.

    func poller(base: URL, databaseURL: String, clock: ManualPollerClock, metrics: TestMetrics, maxAttempts: Int = 5) -> CBRRatesPoller {
        CBRRatesPoller(
            configuration: .init(baseURL: base, trailingDays: 2, interval: .seconds(3600), databaseURL: databaseURL),
            transport: URLSessionTransport(timeout: .seconds(60)), clock: clock, backoff: BackoffPolicy(maxAttempts: maxAttempts),
            jitter: { 0.5 }, metrics: PollerMetrics(sources: [CBRRatesPoller.source], factory: metrics), logger: pollerTestLogger())
    }

    @Test("rates are stored under the bank's own date, RUB per unit, exactly; a re-poll changes nothing")
    func stores() async throws {
        let database = try RatesDatabase()
        let march3 = Recorder(CBRSamples.march3)
        let fake = FakeAPI { request, _ in
            let body: [UInt8] = switch request.query["date_req"] {
            // Sunday and Monday answer with Saturday's set; tomorrow's set is already published.
            case "01/03/2026", "02/03/2026": CBRSamples.february28
            case "03/03/2026": march3.value
            default: Array("<html>unexpected date</html>".utf8)
            }
            return HTTPResponseData(status: 200, headers: ["Content-Type": "application/xml; charset=windows-1251"], body: Data(body))
        }
        let metrics = TestMetrics()
        let clock = ManualPollerClock(now: Self.start)
        let (first, second, third) = try await fake.serve { base in
            let poller = poller(base: base, databaseURL: database.url, clock: clock, metrics: metrics)
            let first = try await poller.pollOnce()
            let second = try await poller.pollOnce()
            march3.update { $0 = CBRSamples.document(date: "03.03.2026", valutes: [
                ("R01235", "840", "USD", 1, "Доллар США", "91,0000", "91"),
                ("R01239", "978", "EUR", 1, "Евро", "99,9000", "99,9"),
            ]) }
            let third = try await poller.pollOnce()
            return (first, second, third)
        }
        #expect(first == FxRateImportSummary(imported: 6, new: 6, changed: 0))
        #expect(second == FxRateImportSummary(imported: 6, new: 0, changed: 0))
        #expect(third == FxRateImportSummary(imported: 6, new: 0, changed: 1))
        #expect(try database.rows() == [
            "RUB AMD 2026-02-28 0.218536",
            "RUB EUR 2026-02-28 100.1000",
            "RUB EUR 2026-03-03 99.9000",
            "RUB KRW 2026-02-28 0.0635432",
            "RUB USD 2026-02-28 92.4512",
            "RUB USD 2026-03-03 91.0000",
        ])
        #expect(fake.requests.map { $0.query["date_req"] ?? "" }.prefix(3) == ["01/03/2026", "02/03/2026", "03/03/2026"])
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "cbr"), ("outcome", "success")]).totalValue == 3)
        #expect(try metrics.expectCounter(PollerMetrics.rows, [("source", "cbr")]).totalValue == 18)
    }

    @Test("a failing bank backs off, then counts a failure and writes nothing")
    func failing() async throws {
        let database = try RatesDatabase()
        let fake = FakeAPI { _, _ in HTTPResponseData(status: 503) }
        let metrics = TestMetrics()
        let clock = ManualPollerClock(now: Self.start)
        let summary = try await fake.serve { base in
            try await poller(base: base, databaseURL: database.url, clock: clock, metrics: metrics, maxAttempts: 2).pollOnce()
        }
        #expect(summary == nil)
        #expect(clock.sleeps == [.milliseconds(3_750)])
        #expect(try database.rows() == [])
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "cbr"), ("outcome", "failure")]).totalValue == 1)
    }
}

/// A value a fake server's handler reads while the test changes it.
final class Recorder<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}
