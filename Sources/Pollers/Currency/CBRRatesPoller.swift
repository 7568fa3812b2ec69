import CurrencyRates
import Events
import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// The currency poller: the Bank of Russia's daily rates into `pipeline.fx_rates` (base RUB), the way
/// `pipeline fx import` writes them, every `interval`, for the trailing days and tomorrow (the bank
/// publishes tomorrow's rates in the afternoon). Only the days the bank actually set rates for are stored.
public struct CBRRatesPoller: Service {
    /// Where, how often and how far back.
    public struct Configuration: Sendable {
        /// Default `https://www.cbr.ru`; the query is `/scripts/XML_daily.asp?date_req=DD/MM/YYYY`.
        public var baseURL: URL
        /// Days re-read per poll: today and the `trailingDays - 1` before (plus tomorrow). Default 7.
        public var trailingDays: Int
        /// Time between polls. Default 1 h.
        public var interval: Duration
        /// libpq connection string of the pipeline's database. Secret (from `DATABASE_URL`).
        public var databaseURL: String

        public init(
            baseURL: URL = URL(string: "https://www.cbr.ru")!, trailingDays: Int = 7, interval: Duration = .seconds(3600),
            databaseURL: String
        ) {
            self.baseURL = baseURL
            self.trailingDays = max(trailingDays, 1)
            self.interval = interval
            self.databaseURL = databaseURL
        }
    }

    public static let source = "cbr"
    /// The bank's rates are RUB per unit.
    public static let base = "RUB"

    private let configuration: Configuration
    private let transport: any HTTPTransport
    private let clock: any PollerClock
    private let backoff: BackoffPolicy
    private let jitter: @Sendable () -> Double
    private let metrics: PollerMetrics
    private let logger: Logger

    public init(
        configuration: Configuration, transport: any HTTPTransport, clock: any PollerClock, backoff: BackoffPolicy = .default,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, metrics: PollerMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.backoff = backoff
        self.jitter = jitter
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = "\(Self.source)"
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                _ = try await pollOnce()
                try await clock.sleep(for: configuration.interval)
            }
        }
        logger.info("currency poller stopped")
    }

    /// One poll with retries; counts it in the metrics. - Returns: the summary of the write, or nil on failure.
    /// - Throws: only `CancellationError`.
    @discardableResult
    public func pollOnce() async throws -> FxRateImportSummary? {
        let today = LocalDate(clock.now(), in: TimeZone(identifier: "Europe/Moscow")!)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let summary = try await poll(days: today.adding(days: -(configuration.trailingDays - 1))...today.adding(days: 1))
                metrics.success(source: Self.source, rows: summary.imported, atUnixSeconds: Double(clock.now().microsecondsSinceEpoch) / 1_000_000)
                logger.info("rates stored", metadata: ["rates": "\(summary.imported)", "new": "\(summary.new)", "changed": "\(summary.changed)"])
                return summary
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as PollError where error.isAPIFailure {
                switch error {
                case .retryLater(let after, _) where attempt < backoff.maxAttempts:
                    try await clock.sleep(for: after)
                case .transient where attempt < backoff.maxAttempts:
                    let delay = backoff.delay(afterAttempt: attempt, jitter: jitter())
                    logger.warning("transient failure; backing off", metadata: ["wait": "\(delay)", "error": "\(error)"])
                    try await clock.sleep(for: delay)
                default:
                    metrics.failure(source: Self.source)
                    logger.error("poll failed; next try at the next interval", metadata: ["error": "\(error)"])
                    return nil
                }
            } catch {
                // The database: unreachable or refusing. The next interval tries again.
                metrics.failure(source: Self.source)
                logger.error("storing rates failed; next try at the next interval", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }

    private func poll(days: ClosedRange<LocalDate>) async throws -> FxRateImportSummary {
        var sets: [LocalDate: CBRDailyRates.DailySet] = [:]
        var day = days.lowerBound
        while day <= days.upperBound {
            let set = try await fetch(day)
            sets[set.day] = set
            day = day.adding(days: 1)
        }
        var rows: [FxRateRow] = []
        for set in sets.values.sorted(by: { $0.day < $1.day }) {
            for rate in set.rates where rate.currency != Self.base {
                rows.append(FxRateRow(currency: rate.currency, day: set.day, rate: rate.rate, line: rows.count + 1))
            }
        }
        let databaseURL = configuration.databaseURL
        let logger = logger
        let rowsToWrite = rows
        // libpq blocks: a thread of its own keeps the cooperative pool free.
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
                    defer { connection.close() }
                    return try importFxRates(rowsToWrite, base: Self.base, into: connection)
                })
            }.start()
        }
    }

    private func fetch(_ day: LocalDate) async throws -> CBRDailyRates.DailySet {
        var components = URLComponents(
            url: configuration.baseURL.appendingPathComponent("scripts/XML_daily.asp"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "date_req", value: CBRDailyRates.queryDate(day))]
        let response = try await transport.sendOrTransient(HTTPRequestData(method: "GET", url: components.url!), what: "CBR")
        switch response.status {
        case 200:
            do {
                return try CBRDailyRates.parse(Array(response.body))
            } catch {
                throw PollError.badResponse("\(error) (date_req \(CBRDailyRates.queryDate(day)))")
            }
        case 429:
            let seconds = response.header("Retry-After").flatMap { Int($0) } ?? 60
            throw PollError.retryLater(after: .seconds(seconds), reason: "CBR: HTTP 429")
        case 500...:
            throw PollError.transient("CBR: HTTP \(response.status)")
        default:
            throw PollError.badResponse("CBR: HTTP \(response.status) for date_req \(CBRDailyRates.queryDate(day))")
        }
    }
}
