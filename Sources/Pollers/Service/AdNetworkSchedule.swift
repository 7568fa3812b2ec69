import Foundation

/// When and how far back one ad network is polled.
public struct AdNetworkSchedule: Sendable {
    /// Time between the end of one poll and the start of the next.
    public var interval: Duration
    /// The days each poll re-reads, ending at the network's today.
    public var window: PollWindow
    /// The zone the network cuts its days in: it decides what "today" is.
    public var timeZone: TimeZone

    public init(interval: Duration, window: PollWindow, timeZone: TimeZone) {
        self.interval = interval
        self.window = window
        self.timeZone = timeZone
    }

    /// The defaults per `source`, from what each network documents about late corrections (INPUTS §2–5, §11):
    /// Yandex Direct stabilises within 3 days → today and 3 full days before; VK states nothing → a week;
    /// Meta freezes after 28 days → 28 days; Google restates clicks for up to a month → this and last month.
    /// Every network hourly; days in Europe/Moscow (Direct and VK) or the zone given (Meta, Google accounts).
    public static func defaults(for source: String, timeZone: TimeZone? = nil) -> AdNetworkSchedule {
        let moscow = TimeZone(identifier: "Europe/Moscow")!
        switch source {
        case "yandex_direct": return AdNetworkSchedule(interval: .seconds(3600), window: .trailingDays(4), timeZone: timeZone ?? moscow)
        case "vk_ads": return AdNetworkSchedule(interval: .seconds(3600), window: .trailingDays(7), timeZone: timeZone ?? moscow)
        case "meta": return AdNetworkSchedule(interval: .seconds(3600), window: .trailingDays(28), timeZone: timeZone ?? moscow)
        case "google_ads": return AdNetworkSchedule(interval: .seconds(3600), window: .currentAndPreviousMonth, timeZone: timeZone ?? moscow)
        default: return AdNetworkSchedule(interval: .seconds(3600), window: .trailingDays(7), timeZone: timeZone ?? moscow)
        }
    }
}
