import Events
import Foundation
import Pollers
import Testing

@Suite("poll windows and backoff")
struct PollWindowTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test("windows end at the network's today", arguments: [
        (PollWindow.trailingDays(4), "2026-03-02", "2026-02-27", "2026-03-02"),  // 2026 is not a leap year
        (.trailingDays(1), "2026-03-02", "2026-03-02", "2026-03-02"),
        (.trailingDays(7), "2024-03-03", "2024-02-26", "2024-03-03"),  // across a leap day
        (.trailingDays(28), "2026-01-10", "2025-12-14", "2026-01-10"),
        (.currentAndPreviousMonth, "2026-01-15", "2025-12-01", "2026-01-15"),
        (.currentAndPreviousMonth, "2026-03-01", "2026-02-01", "2026-03-01"),
    ])
    func window(window: PollWindow, today: String, first: String, last: String) {
        #expect(window.days(endingOn: Self.day(today)) == Self.day(first)...Self.day(last))
    }

    @Test("the network's today is taken in its zone: 22:30 UTC is already tomorrow in Moscow")
    func todayInZone() {
        let instant = Instant("2026-03-01T22:30:00Z")
        #expect(LocalDate(instant, in: TimeZone(identifier: "Europe/Moscow")!) == Self.day("2026-03-02"))
        #expect(LocalDate(instant, in: TimeZone(identifier: "America/Los_Angeles")!) == Self.day("2026-03-01"))
    }

    @Test("backoff doubles from 5 s, caps at 300 s, and jitters within the upper half", arguments: [
        (1, 0.0, Duration.milliseconds(2_500)),
        (1, 1.0, .seconds(5)),
        (2, 0.5, .milliseconds(7_500)),  // base 10 s: 5 + 0.5 × 5
        (3, 0.0, .seconds(10)),  // base 20 s
        (6, 0.0, .seconds(80)),  // base 160 s
        (7, 0.0, .seconds(150)),  // base 320 s capped to 300 s
        (40, 1.0, .seconds(300)),
    ])
    func backoff(attempt: Int, jitter: Double, expected: Duration) {
        #expect(BackoffPolicy.default.delay(afterAttempt: attempt, jitter: jitter) == expected)
    }
}
