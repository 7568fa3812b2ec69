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

/// Every error of the Pollers module: why a call to an outside API did not give its data, a configuration to
/// correct, or a state file not written; in words an operator can act on.
public enum PollError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API asked to wait (rate limit, report still being built): worth retrying after `after`.
    case retryLater(after: Duration, reason: String)
    /// Credentials missing or refused: retrying does not help until an operator acts.
    case unauthorized(String)
    /// The answer did not have the documented shape; names the part and the problem.
    case badResponse(String)
    /// No answer, or a server error (5xx): worth retrying with backoff.
    case transient(String)
    /// A configuration file a person must correct; says what and where.
    case configuration(String)
    /// A token or progress file that could not be written; names the file, never its contents.
    case tokenStore(path: String, errno: Int32)

    /// Whether the outside API (not our configuration or disk) failed: only these are retried or reported as a
    /// failed poll; the others go the way any other local error goes.
    var isAPIFailure: Bool {
        switch self {
        case .retryLater, .unauthorized, .badResponse, .transient: true
        case .configuration, .tokenStore: false
        }
    }

    public var description: String {
        switch self {
        case .retryLater(let after, let reason): "retry after \(after): \(reason)"
        case .unauthorized(let reason): "unauthorized: \(reason)"
        case .badResponse(let reason): "bad response: \(reason)"
        case .transient(let reason): "transient: \(reason)"
        case .configuration(let problem): problem
        case .tokenStore(let path, let errno): "cannot write \(path): \(String(cString: strerror(errno)))"
        }
    }
}

/// The pollers' name for the one periodic clock (`WallClock` in Events), kept so their signatures and tests read as before.
public typealias PollerClock = WallClock

/// The pollers' name for the real clock (`SystemWallClock` in Events).
public typealias SystemPollerClock = SystemWallClock
