import Events
import Foundation
import Kafka
import Logging

/// Polls one ad network: fetch the window with retries, turn rows into envelopes, produce them and
/// wait for every delivery report. Keeps the network's revision memory between polls.
public struct AdNetworkPoller: Sendable {
    /// How one poll ended.
    public enum Outcome: Sendable, Equatable {
        /// Every row of the window is durably in Kafka.
        case success(rows: Int)
        /// Nothing (or not everything) reached Kafka; the reason, for the log.
        case failure(String)
    }

    public let client: any AdNetworkClient
    public let schedule: AdNetworkSchedule
    private let topics: EventTopics
    private let producer: KafkaProducer
    /// Waits for retries here, and the service waits the interval on it too.
    public let clock: any PollerClock
    private let backoff: BackoffPolicy
    private let jitter: @Sendable () -> Double
    private let metrics: PollerMetrics
    private let logger: Logger
    private var revisions: AdStatsRevisions
    /// `project/source/account` for a configured account; the `source` alone for the single-account flags.
    public let name: String
    /// The account's labels in the per-account metrics; nil for the single-account flags.
    private let labels: PollerMetrics.AccountLabels?
    private let tokens: (any AccessTokenProvider)?

    /// - Parameters:
    ///   - jitter: a number in 0..<1 per retry; tests fix it to get exact waits.
    ///   - account: the account's id for the per-account series; nil leaves them out.
    public init(
        client: any AdNetworkClient, schedule: AdNetworkSchedule, project: String, topics: EventTopics,
        producer: KafkaProducer, clock: any PollerClock, backoff: BackoffPolicy = .default,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        metrics: PollerMetrics, logger: Logger, account: String? = nil
    ) {
        self.client = client
        self.schedule = schedule
        self.topics = topics
        self.producer = producer
        self.clock = clock
        self.backoff = backoff
        self.jitter = jitter
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = "\(client.source)"
        self.logger = logger
        self.revisions = AdStatsRevisions(project: project, source: client.source)
        self.name = client.source
        self.labels = account.map { PollerMetrics.AccountLabels(project: project, source: client.source, account: $0) }
        self.tokens = nil
    }

    /// The poller of one configured account: logs and metrics carry its project and account.
    public init(
        account: PollerAccount, topics: EventTopics, producer: KafkaProducer, clock: any PollerClock, backoff: BackoffPolicy = .default,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, metrics: PollerMetrics, logger: Logger
    ) {
        self.client = account.client
        self.schedule = account.schedule
        self.topics = topics
        self.producer = producer
        self.clock = clock
        self.backoff = backoff
        self.jitter = jitter
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "source"] = "\(account.source)"
        logger[metadataKey: "project"] = "\(account.project)"
        logger[metadataKey: "account"] = "\(account.account)"
        self.logger = logger
        self.revisions = AdStatsRevisions(project: account.project, source: account.source)
        self.name = account.name
        self.labels = PollerMetrics.AccountLabels(project: account.project, source: account.source, account: account.account)
        self.tokens = account.tokens
    }

    /// One poll of the window ending at the network's today; counts it in the metrics.
    /// - Throws: only `CancellationError` (shutdown); every other failure is an `Outcome`.
    public mutating func poll() async throws -> Outcome {
        let startedAt = clock.now()
        let today = LocalDate(startedAt, in: schedule.timeZone)
        let days = schedule.window.days(endingOn: today)
        let outcome = try await poll(days: days)
        switch outcome {
        case .success(let rows):
            let finishedAt = clock.now()
            metrics.success(source: client.source, rows: rows, atUnixSeconds: Double(finishedAt.microsecondsSinceEpoch) / 1_000_000)
            logger.info("poll succeeded", metadata: ["rows": "\(rows)", "days": "\(days.lowerBound)...\(days.upperBound)"])
        case .failure(let reason):
            metrics.failure(source: client.source)
            logger.error("poll failed; next try at the next interval", metadata: ["reason": "\(reason)", "days": "\(days.lowerBound)...\(days.upperBound)"])
        }
        await record(outcome)
        revisions.forget(daysBefore: days.lowerBound)
        return outcome
    }

    /// A past range (`pipeline poll --since`): the same fetch and the same event ids as a live poll of
    /// those days, with a revision memory of its own so the live window's memory is left as it was.
    public mutating func pollHistory(days: ClosedRange<LocalDate>) async throws -> Outcome {
        let live = revisions
        revisions = AdStatsRevisions(project: live.project, source: live.source)
        defer { revisions = live }
        let outcome = try await poll(days: days)
        await record(outcome)
        return outcome
    }

    /// The per-account series of a configured account: the outcome and the token's state.
    private func record(_ outcome: Outcome) async {
        guard let labels else { return }
        switch outcome {
        case .success(let rows):
            metrics.accountSuccess(labels, rows: rows, atUnixSeconds: Double(clock.now().microsecondsSinceEpoch) / 1_000_000)
        case .failure:
            metrics.accountFailure(labels)
        }
        if let tokens { metrics.token(labels, status: await tokens.status()) }
    }

    private mutating func poll(days: ClosedRange<LocalDate>) async throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            let rows: [AdStats]
            do {
                rows = try await client.fetchStatistics(days: days)
            } catch let error as PollError where error.isAPIFailure {
                switch error {
                case .configuration, .tokenStore:
                    // Unreachable: the `where` above sends local errors to the catch below, as before they joined PollError.
                    preconditionFailure("local error in the API failure branch")
                case .unauthorized, .badResponse:
                    return .failure(error.description)
                case .retryLater(let after, let reason):
                    guard attempt < backoff.maxAttempts else { return .failure("\(error) (after \(attempt) attempts)") }
                    logger.warning("API asked to wait", metadata: ["wait": "\(after)", "reason": "\(reason)", "attempt": "\(attempt)"])
                    try await clock.sleep(for: after)
                    continue
                case .transient:
                    guard attempt < backoff.maxAttempts else { return .failure("\(error) (after \(attempt) attempts)") }
                    let delay = backoff.delay(afterAttempt: attempt, jitter: jitter())
                    logger.warning("transient failure; backing off", metadata: ["wait": "\(delay)", "error": "\(error)", "attempt": "\(attempt)"])
                    try await clock.sleep(for: delay)
                    continue
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // A transport error that is not a PollError (connection refused, timeout): transient.
                if Task.isCancelled { throw CancellationError() }
                guard attempt < backoff.maxAttempts else { return .failure("transient: \(error) (after \(attempt) attempts)") }
                let delay = backoff.delay(afterAttempt: attempt, jitter: jitter())
                logger.warning("request failed; backing off", metadata: ["wait": "\(delay)", "error": "\(error)", "attempt": "\(attempt)"])
                try await clock.sleep(for: delay)
                continue
            }
            return await produce(rows, polledAt: clock.now())
        }
    }

    private mutating func produce(_ rows: [AdStats], polledAt: Instant) async -> Outcome {
        let events = revisions.events(for: rows, polledAt: polledAt)
        var messages: [KafkaOutgoingMessage] = []
        messages.reserveCapacity(events.count)
        for event in events {
            do {
                try event.validate()
            } catch {
                return .failure("row of ad \(event.partitionKey) is not a valid ad_stats event: \(error)")
            }
            messages.append(KafkaOutgoingMessage(event: event, topics: topics))
        }
        do {
            if !messages.isEmpty { _ = try await producer.send(messages) }
        } catch {
            return .failure("Kafka did not acknowledge the rows: \(error)")
        }
        return .success(rows: rows.count)
    }
}
