import Events
import Foundation

/// The days a demo month covers: a calendar month, or the month-long stretch that ends on a given day.
///
/// The demo runs on the stretch ending yesterday in the project's time zone, so that the evening it
/// sends live through the webhook server belongs to the month and the views' "latest day" is recent.
package struct DemoPeriod: Sendable, Equatable, CustomStringConvertible {
    package let firstDay: LocalDate
    package let lastDay: LocalDate

    /// The number of days, both ends included.
    package var days: Int { firstDay.days(to: lastDay) + 1 }

    /// The calendar month `year-month`; nil for an impossible month.
    package init?(year: Int, month: Int) {
        guard let first = LocalDate(year: year, month: month, day: 1) else { return nil }
        let next = month == 12 ? LocalDate(year: year + 1, month: 1, day: 1) : LocalDate(year: year, month: month + 1, day: 1)
        guard let next else { return nil }
        firstDay = first
        lastDay = next.adding(days: -1)
    }

    /// The stretch of one month ending on `lastDay`: from the day after the same date a month earlier
    /// (that month's last day when it is shorter), so 28 to 31 days, and exactly the calendar month
    /// when `lastDay` is a month's last day.
    package init(endingOn lastDay: LocalDate) {
        let (year, month) = lastDay.month == 1 ? (lastDay.year - 1, 12) : (lastDay.year, lastDay.month - 1)
        var day = lastDay.day
        // The previous month may be shorter (March 30 → February 28): clamp to its last day.
        while LocalDate(year: year, month: month, day: day) == nil { day -= 1 }
        self.firstDay = LocalDate(year: year, month: month, day: day)!.adding(days: 1)
        self.lastDay = lastDay
    }

    /// The month-long stretch ending yesterday, as a clock in `timeZone` reads `now`.
    package static func endingYesterday(now: Date = Date(), in timeZone: TimeZone) -> DemoPeriod {
        let instant = Instant(microsecondsSinceEpoch: Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down)))
        return DemoPeriod(endingOn: LocalDate(instant, in: timeZone).adding(days: -1))
    }

    /// `first last`, as `pipeline demo-data --print-period` writes it for scripts.
    package var description: String { "\(firstDay) \(lastDay)" }

    /// The date `offset` days after the first day.
    package func day(_ offset: Int) -> LocalDate { firstDay.adding(days: offset) }
}
