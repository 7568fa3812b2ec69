import Foundation
import Testing
import Events

@Suite struct InstantTests {
    @Test func offsetsDenoteTheSameInstant() throws {
        let moscow = try #require(Instant(rfc3339: "2026-01-15T10:00:00+03:00"))
        let utc = try #require(Instant(rfc3339: "2026-01-15T07:00:00Z"))
        #expect(moscow == utc)
        #expect(Instant(rfc3339: "2026-01-15T02:00:00-05:00") == utc)
        #expect(Instant(rfc3339: "2026-01-15t07:00:00z") == utc)
        #expect(Instant(rfc3339: "2026-01-15T07:00:00-00:00") == utc)
        #expect(utc.microsecondsSinceEpoch == 1_768_460_400_000_000)
    }

    @Test func fractionsAreExactMicroseconds() throws {
        #expect(Instant(rfc3339: "1970-01-01T00:00:00.000001Z")?.microsecondsSinceEpoch == 1)
        #expect(Instant(rfc3339: "1970-01-01T00:00:00.5Z")?.microsecondsSinceEpoch == 500_000)
        #expect(Instant(rfc3339: "1969-12-31T23:59:59.999999Z")?.microsecondsSinceEpoch == -1)
        #expect(Instant(rfc3339: "1970-01-01T00:00:00.1234567Z") == nil)
        let a = try #require(Instant(rfc3339: "2026-01-15T07:00:00.000001Z"))
        let b = try #require(Instant(rfc3339: "2026-01-15T07:00:00Z"))
        #expect(b < a)
        #expect(b.microseconds(to: a) == 1)
        #expect(b.advanced(byMicroseconds: 1) == a)
    }

    @Test(arguments: [
        "2026-01-15T09:03:42", "2026-01-15 09:03:42Z", "2026-02-29T00:00:00Z", "2026-01-15T24:00:00Z",
        "2026-01-15T23:60:00Z", "2026-12-31T23:59:60Z", "2026-01-15T09:03:42+0300", "2026-01-15T09:03:42+03",
        "2026-01-15T09:03:42+24:00", "2026-01-15T09:03:42.Z", "0000-01-01T00:00:00Z", "2026-1-15T09:03:42Z",
        "2026-01-15T09:03:42Z ", "", "2026-01-15",
    ])
    func rejects(_ text: String) {
        #expect(Instant(rfc3339: text) == nil)
    }

    @Test(arguments: [
        ("2026-01-15T09:03:42+03:00", "2026-01-15T06:03:42Z"),
        ("2026-01-15T09:03:42.5+03:00", "2026-01-15T06:03:42.500000Z"),
        ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z"),
        ("0001-01-01T00:00:00+01:00", "0000-12-31T23:00:00Z"),
        ("2028-02-29T12:00:00Z", "2028-02-29T12:00:00Z"),
    ])
    func printsUTC(_ text: String, _ utc: String) {
        #expect(Instant(rfc3339: text)?.rfc3339String == utc)
    }

    /// The one-buffer printing, against Foundation's Gregorian calendar in UTC and `%0Nd` formats,
    /// for instants spread over 1900–2100 with fractions of every width.
    @Test func printsLikeFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        var generator = SystemRandomNumberGenerator()
        let start: Int64 = -2_208_988_800_000_000  // 1900-01-01
        let end: Int64 = 4_102_444_800_000_000  // 2100-01-01
        let fractions: [Int64] = [0, 1, 9, 10, 99_999, 100_000, 500_000, 999_999]
        for round in 0..<20_000 {
            let whole = Int64.random(in: start / 1_000_000..<end / 1_000_000, using: &generator)
            let fraction = round < fractions.count ? fractions[round] : Int64.random(in: 0..<1_000_000, using: &generator)
            let instant = Instant(microsecondsSinceEpoch: whole * 1_000_000 + fraction)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(whole)))
            var expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!,
                                  parts.hour!, parts.minute!, parts.second!)
            if fraction != 0 { expected += String(format: ".%06d", fraction) }
            #expect(instant.rfc3339String == expected + "Z")
        }
    }

    @Test func everyDayOfFourCenturiesRoundTrips() throws {
        // Day-by-day agreement between parsing and printing, across leap rules (1900, 2000, 2100).
        var instant = try #require(Instant(rfc3339: "1899-12-31T12:00:00Z"))
        for _ in 0..<(146_097 + 10) {
            #expect(Instant(rfc3339: instant.rfc3339String) == instant)
            instant = instant.advanced(byMicroseconds: 86_400_000_000)
        }
    }
}

@Suite struct LocalDateTests {
    @Test func utcEveningIsNextDayInMoscow() throws {
        let instant = try #require(Instant(rfc3339: "2026-03-01T21:30:00Z"))
        #expect(localDate(of: instant, in: .projectDefault).description == "2026-03-02")
        #expect(localDate(of: instant).description == "2026-03-02")
        #expect(localDate(of: instant, in: TimeZone(identifier: "UTC")!).description == "2026-03-01")
    }

    @Test func newYorkAcrossDaylightSaving() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        // 2026-03-08 02:00 EST → EDT. Before: UTC−5, after: UTC−4.
        #expect(localDate(of: Instant(rfc3339: "2026-03-08T04:59:59Z")!, in: newYork).description == "2026-03-07")
        #expect(localDate(of: Instant(rfc3339: "2026-03-08T05:00:00Z")!, in: newYork).description == "2026-03-08")
        #expect(localDate(of: Instant(rfc3339: "2026-03-09T03:59:59Z")!, in: newYork).description == "2026-03-08")
        #expect(localDate(of: Instant(rfc3339: "2026-03-09T04:00:00Z")!, in: newYork).description == "2026-03-09")
        // 2026-11-01 02:00 EDT → EST.
        #expect(localDate(of: Instant(rfc3339: "2026-11-01T03:59:59Z")!, in: newYork).description == "2026-10-31")
        #expect(localDate(of: Instant(rfc3339: "2026-11-01T04:00:00Z")!, in: newYork).description == "2026-11-01")
        #expect(localDate(of: Instant(rfc3339: "2026-11-02T04:59:59Z")!, in: newYork).description == "2026-11-01")
        #expect(localDate(of: Instant(rfc3339: "2026-11-02T05:00:00Z")!, in: newYork).description == "2026-11-02")
    }

    @Test func lastMicrosecondOfTheDayStaysInTheDay() throws {
        let instant = try #require(Instant(rfc3339: "2026-03-01T23:59:59.999999+03:00"))
        #expect(localDate(of: instant).description == "2026-03-01")
        #expect(localDate(of: Instant(rfc3339: "1969-12-31T23:59:59.999999Z")!, in: TimeZone(identifier: "UTC")!).description == "1969-12-31")
    }

    @Test func parsesStrictly() {
        #expect(LocalDate("2026-01-15")?.description == "2026-01-15")
        #expect(LocalDate("2028-02-29") != nil)
        for text in ["2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "0000-01-01", "2026-1-5", "20260115", "2026-01-15T00:00:00Z", " 2026-01-15", "2026/01/15"] {
            #expect(LocalDate(text) == nil, "\(text)")
        }
        #expect(LocalDate(year: 2026, month: 2, day: 28) != nil)
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
    }

    @Test func addsDaysAndFindsMonthStart() {
        let date = LocalDate("2026-02-27")!
        #expect(date.adding(days: 2).description == "2026-03-01")
        #expect(date.adding(days: -58).description == "2025-12-31")
        #expect(date.adding(days: 365).description == "2027-02-27")
        #expect(LocalDate("2028-02-28")!.adding(days: 1).description == "2028-02-29")
        #expect(date.monthStart.description == "2026-02-01")
        #expect(LocalDate("2026-12-31")!.monthStart.description == "2026-12-01")
        #expect(date.days(to: LocalDate("2026-03-13")!) == 14)
        #expect(LocalDate("1970-01-01")!.daysSinceEpoch == 0)
        #expect(LocalDate(daysSinceEpoch: -1).description == "1969-12-31")
    }

    @Test func ordersChronologically() {
        let dates = ["2026-03-01", "2025-12-31", "2026-02-28", "2026-01-01"].map { LocalDate($0)! }
        #expect(dates.sorted().map(\.description) == ["2025-12-31", "2026-01-01", "2026-02-28", "2026-03-01"])
    }

    /// Years 0000–9999 print as four digits (one buffer); others, which only day arithmetic
    /// reaches, keep their part-by-part spelling.
    @Test func printsEveryYearsDigits() {
        for year in [0, 1, 9, 10, 99, 100, 999, 1000, 2026, 9999] {
            let date = LocalDate(daysSinceEpoch: Self.daysSinceEpoch(year: year, month: 12, day: 31))
            #expect(date.description == String(format: "%04d-12-31", year))
        }
        #expect(LocalDate(daysSinceEpoch: Self.daysSinceEpoch(year: 10_000, month: 1, day: 2)).description == "10000-01-02")
        #expect(LocalDate(daysSinceEpoch: Self.daysSinceEpoch(year: -1, month: 3, day: 4)).description == "00-1-03-04")
    }

    /// Days since 1970-01-01, counted here independently of `CivilCalendar` (proleptic Gregorian).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
        let monthDays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var days = monthDays.prefix(month - 1).reduce(0, +) + day - 1
        if year >= 1970 {
            for earlier in 1970..<year { days += isLeap(earlier) ? 366 : 365 }
        } else {
            for later in year..<1970 { days -= isLeap(later) ? 366 : 365 }
        }
        return days
    }

    /// The packed word must order, compare and print like the (year, month, day) it packs, for
    /// every day from the year -111 to 3065, through year 0.
    @Test func packedDatesOrderAndRoundTripLikeTheirParts() {
        var previous = LocalDate(daysSinceEpoch: -760_000)
        #expect(previous.year < 1)
        for days in -759_999...400_000 {
            let date = LocalDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect((previous.year, previous.month, previous.day) < (date.year, date.month, date.day))
            #expect(previous < date && !(date < previous) && previous != date)
            if days % 997 == 0, date.year >= 1 {
                #expect(LocalDate(date.description) == date)
                #expect(LocalDate(year: date.year, month: date.month, day: date.day) == date)
            }
            previous = date
        }
        #expect(MemoryLayout<LocalDate>.size == 4)
    }
}
