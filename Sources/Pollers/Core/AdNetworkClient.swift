import Foundation
import Events

/// One ad network's statistics API: the figures of every ad for a span of the network's own days.
///
/// A client does the whole conversation for one fetch — offline or asynchronous reports included,
/// waiting on the `PollerClock` it was given — and returns rows in SPEC's `ad_stats` shape.
public protocol AdNetworkClient: Sendable {
    /// The `source` of the envelopes and the label in metrics: `yandex_direct`, `vk_ads`, `meta`, `google_ads`.
    var source: String { get }
    /// The `network` value of the rows (SPEC §3 maps `utm_source` values to it).
    var network: String { get }
    /// Every ad's figures for each day in `days`; an ad with nothing on a day may be left out.
    func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats]
}

/// Why a call to an outside API did not give its data, in words an operator can act on.
public enum PollError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API asked to wait (rate limit, report still being built): worth retrying after `after`.
    case retryLater(after: Duration, reason: String)
    /// Credentials missing or refused: retrying does not help until an operator acts.
    case unauthorized(String)
    /// The answer did not have the documented shape; names the part and the problem.
    case badResponse(String)
    /// No answer, or a server error (5xx): worth retrying with backoff.
    case transient(String)

    public var description: String {
        switch self {
        case .retryLater(let after, let reason): "retry after \(after): \(reason)"
        case .unauthorized(let reason): "unauthorized: \(reason)"
        case .badResponse(let reason): "bad response: \(reason)"
        case .transient(let reason): "transient: \(reason)"
        }
    }
}

/// The pollers' notion of time: the current instant (for trailing windows) and waiting; tests drive it by hand.
public protocol PollerClock: Sendable {
    /// The current instant.
    func now() -> Instant
    /// Waits `duration`; throws `CancellationError` when the task is cancelled (graceful shutdown).
    func sleep(for duration: Duration) async throws
}

/// The real clock: wall time for `now`, `Task.sleep` for waiting.
public struct SystemPollerClock: PollerClock {
    public init() {}

    public func now() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Instant(microsecondsSinceEpoch: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000)
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
