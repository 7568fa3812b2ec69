import Foundation

/// Whether a role's main loop is still turning: the loop calls `beat()` on every turn, and
/// `/healthz` fails once no beat came for longer than the allowed silence.
///
/// A loop that blocks for good (a transaction retried forever while PostgreSQL is down, a hung
/// call) stops beating, so the orchestrator sees the role as unhealthy instead of merely running.
public final class Liveness: @unchecked Sendable {
    // Safe: `lastBeat` is only read and written under `lock`; the rest is immutable.
    private let lock = NSLock()
    private var lastBeat: Duration
    private let allowedSilence: Duration?
    private let uptime: @Sendable () -> Duration

    /// - Parameters:
    ///   - allowedSilence: longest time between beats that still counts as alive; nil: always alive.
    ///   - uptime: a monotonic clock reading (default: the continuous clock); tests step their own.
    public init(allowedSilence: Duration?, uptime: @escaping @Sendable () -> Duration = Liveness.systemUptime) {
        self.allowedSilence = allowedSilence
        self.uptime = uptime
        lastBeat = uptime()
    }

    /// Alive whatever happens: for roles whose liveness is the HTTP server answering at all.
    public static let always = Liveness(allowedSilence: nil)

    private static let origin = ContinuousClock.now

    /// Time since this process first asked, on the continuous clock.
    public static let systemUptime: @Sendable () -> Duration = { origin.duration(to: .now) }

    /// Records a turn of the loop.
    public func beat() {
        let now = uptime()
        lock.withLock { lastBeat = now }
    }

    /// Whether the loop turned recently enough, and a short reason for the answer.
    public func check() -> (alive: Bool, detail: String) {
        guard let allowedSilence else { return (true, "") }
        let silence = uptime() - lock.withLock { lastBeat }
        return (silence <= allowedSilence, "last loop turn \(silence.components.seconds) s ago")
    }
}
