import Foundation

/// The one clock of everything periodic (ad polls, token renewal, export waits): the current wall instant
/// and waiting, so a test drives time by hand and never sleeps for real.
public protocol WallClock: Sendable {
    /// The current instant, wall time: windows and expiries are about calendar time, not uptime.
    func now() -> Instant
    /// Waits `duration`; throws `CancellationError` when the task is cancelled (graceful shutdown).
    func sleep(for duration: Duration) async throws
}

/// The real clock: `CLOCK_REALTIME` for `now`, `Task.sleep` for waiting.
public struct SystemWallClock: WallClock {
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
