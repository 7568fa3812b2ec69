import Foundation

/// A calendar day without a time zone (`2026-03-02`), the unit of every daily aggregate.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    // One 32-bit word, `year << 9 | month << 5 | day` (year signed: `init(daysSinceEpoch:)` may
    // reach before year 1): it orders like (year, month, day), hashes as one integer, and takes 4
    // bytes instead of three Ints' 24 in every key and ledger day the worker holds (millions).
    private let packed: Int32

    public var year: Int { Int(packed >> 9) }
    public var month: Int { Int(packed >> 5 & 0xF) }
    public var day: Int { Int(packed & 0x1F) }

    /// A valid proleptic Gregorian date in years 0001–9999, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard CivilCalendar.isValidDate(year: year, month: month, day: day) else { return nil }
        self.init(validYear: year, month: month, day: day)
    }

    private init(validYear year: Int, month: Int, day: Int) {
        packed = Int32(year) << 9 | Int32(month) << 5 | Int32(day)
    }

    /// Parses exactly `YYYY-MM-DD`; nil for any other shape or an impossible date such as `2026-02-30`.
    public init?(_ description: String) {
        let bytes = Array(description.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = CivilCalendar.digits(bytes, 0, 4),
              let month = CivilCalendar.digits(bytes, 5, 2),
              let day = CivilCalendar.digits(bytes, 8, 2)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The date `days` after 1970-01-01 (negative for earlier).
    public init(daysSinceEpoch days: Int) {
        let date = CivilCalendar.date(daysSinceEpoch: days)
        self.init(validYear: date.year, month: date.month, day: date.day)
    }

    /// The local calendar day of `instant` in `timeZone`, as Foundation's Gregorian calendar reckons it.
    public init(_ instant: Instant, in timeZone: TimeZone) {
        // Whole seconds suffice (zone offsets are whole seconds). The zone's offset at that instant
        // plus civil-calendar arithmetic: a Calendar per event cost more than the rest of the worker.
        let seconds = instant.microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        let wholeSeconds = seconds.remainder < 0 ? seconds.quotient - 1 : seconds.quotient
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wholeSeconds))))
        let local = wholeSeconds + offset
        let days = local.quotientAndRemainder(dividingBy: 86_400)
        self.init(daysSinceEpoch: Int(days.remainder < 0 ? days.quotient - 1 : days.quotient))
    }

    public var daysSinceEpoch: Int {
        CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Signed whole days from `self` to `other`.
    public func days(to other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The first day of this date's month, which keys every monthly aggregate.
    public var monthStart: LocalDate {
        LocalDate(validYear: year, month: month, day: 1)
    }

    public var description: String {
        CivilCalendar.formatted(year: year, month: month, day: day) ?? spelledPartByPart
    }

    /// `description` for years `CivilCalendar.formatted` leaves out (before 0000 or after 9999).
    var spelledPartByPart: String {
        "\(CivilCalendar.zeroPadded(year, width: 4))-\(CivilCalendar.zeroPadded(month, width: 2))-\(CivilCalendar.zeroPadded(day, width: 2))"
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.packed < rhs.packed
    }
}

/// The calendar day of `instant` in `timeZone` (the project's zone, by default Europe/Moscow).
public func localDate(of instant: Instant, in timeZone: TimeZone = .projectDefault) -> LocalDate {
    LocalDate(instant, in: timeZone)
}
