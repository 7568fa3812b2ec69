/// A point in time as whole microseconds since 1970-01-01T00:00:00Z, so instants from different
/// offsets compare exactly (`10:00+03:00` equals `07:00Z`).
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Parses an RFC 3339 timestamp that carries an offset (`Z` or `±hh:mm`), with at most 6 fraction
    /// digits, years 0001–9999 and seconds 00–59 (no leap second); nil otherwise.
    public init?(rfc3339 text: String) {
        guard case .success(let instant) = Self.parse(text) else { return nil }
        self = instant
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// This instant moved by a signed number of microseconds.
    public func advanced(byMicroseconds microseconds: Int64) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }

    /// Signed microseconds from `self` to `other`.
    public func microseconds(to other: Instant) -> Int64 {
        other.microsecondsSinceEpoch - microsecondsSinceEpoch
    }

    /// The instant in UTC, RFC 3339, with six fraction digits only when there is a fraction:
    /// `2026-01-15T06:03:42Z`, `2026-01-15T06:03:42.500000Z`.
    public var rfc3339String: String {
        let (seconds, micros) = microsecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000)
        let (wholeSeconds, fraction) = micros < 0 ? (seconds - 1, micros + 1_000_000) : (seconds, micros)
        let (days, secondOfDay) = Int(wholeSeconds).quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let date = CivilCalendar.date(daysSinceEpoch: day)
        if let text = CivilCalendar.formatted(
            year: date.year, month: date.month, day: date.day, secondOfDay: second, fraction: Int(fraction)
        ) {
            return text
        }
        let pad = CivilCalendar.zeroPadded
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
            + "\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))"
        if fraction != 0 { text += "." + pad(Int(fraction), 6) }
        return text + "Z"
    }

    public var description: String { rfc3339String }

    /// Why a timestamp was rejected, so the decoder can say something more useful than "invalid".
    enum ParseFailure: Error, Equatable {
        case malformed
        case missingOffset
        case tooManyFractionDigits
        case outOfRange
    }

    static func parse(_ text: String) -> Result<Instant, ParseFailure> {
        // In place: copying the text into an array first was half of this function's time.
        var text = text
        return text.withUTF8(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Instant, ParseFailure> {
        let digits: (UnsafeBufferPointer<UInt8>, Int, Int) -> Int? = CivilCalendar.digits
        func isByte(_ index: Int, _ characters: StaticString) -> Bool {
            guard index < bytes.count else { return false }
            return characters.withUTF8Buffer { $0.contains(bytes[index]) }
        }
        guard let year = digits(bytes, 0, 4), isByte(4, "-"),
              let month = digits(bytes, 5, 2), isByte(7, "-"),
              let day = digits(bytes, 8, 2), isByte(10, "Tt"),
              let hour = digits(bytes, 11, 2), isByte(13, ":"),
              let minute = digits(bytes, 14, 2), isByte(16, ":"),
              let second = digits(bytes, 17, 2)
        else { return .failure(.malformed) }
        var index = 19
        var fraction = 0
        if isByte(index, ".") {
            index += 1
            var count = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                if count < 6 { fraction = fraction * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            if count == 0 { return .failure(.malformed) }
            if count > 6 { return .failure(.tooManyFractionDigits) }
            for _ in count..<6 { fraction *= 10 }
        }
        var offsetSeconds = 0
        if index == bytes.count {
            return .failure(.missingOffset)
        } else if isByte(index, "Zz"), index + 1 == bytes.count {
            offsetSeconds = 0
        } else if isByte(index, "+-"), index + 6 == bytes.count,
                  let offsetHours = digits(bytes, index + 1, 2), isByte(index + 3, ":"),
                  let offsetMinutes = digits(bytes, index + 4, 2) {
            guard offsetHours <= 23, offsetMinutes <= 59 else { return .failure(.outOfRange) }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return .failure(.malformed)
        }
        guard CivilCalendar.isValidDate(year: year, month: month, day: day),
              hour <= 23, minute <= 59, second <= 59
        else { return .failure(.outOfRange) }
        let days = CivilCalendar.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return .success(Instant(microsecondsSinceEpoch: seconds * 1_000_000 + Int64(fraction)))
    }
}
