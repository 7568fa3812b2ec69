import Events
import Foundation

/// Reads the timestamps sources send, most of which are not RFC 3339.
enum TimeParsing {
    /// An RFC 3339 timestamp with offset, or a zone-less local time in `timeZone`:
    /// `2026-01-15 09:00:00`, `2026-01-15 09:00`, `2026-01-15T09:00:00`, `15.01.2026 09:00:00`, `15.01.2026 09:00`
    /// or a bare date (midnight). A local time that a DST change skips or repeats resolves as Foundation's calendar does.
    static func instant(_ raw: String, field: String, timeZone: TimeZone) throws(NormalizationError) -> Instant {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let instant = Instant(rfc3339: text) { return instant }
        guard let parts = localParts(text),
              let instant = localInstant(parts, timeZone: timeZone)
        else {
            throw NormalizationError(field: field, problem: "must be a date and time such as \"2026-01-15 09:00:00\" or \"2026-01-15T09:00:00+03:00\", got \(quoted(raw))")
        }
        return instant
    }

    /// Unix seconds (Telegram's `date`, SendGrid's `timestamp`, GetCourse's `ts64`).
    static func instant(unixSeconds value: JSONValue, field: String) throws(NormalizationError) -> Instant {
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let string): text = string
        default: throw NormalizationError(field: field, problem: "must be Unix seconds, got \(value.typeName)")
        }
        // Anything past year 9999 cannot be an event time, and would overflow microseconds.
        guard let seconds = Int64(text), (0...253_402_300_799).contains(seconds) else {
            throw NormalizationError(field: field, problem: "must be Unix seconds, got \(quoted(text))")
        }
        return Instant(microsecondsSinceEpoch: seconds * 1_000_000)
    }

    private struct LocalParts {
        var year, month, day, hour, minute, second: Int
    }

    private static func localParts(_ text: String) -> LocalParts? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int, _ characters: String) -> Bool { index < bytes.count && characters.utf8.contains(bytes[index]) }
        var parts: LocalParts
        if let year = number(0, 4), byte(4, "-"), let month = number(5, 2), byte(7, "-"), let day = number(8, 2) {
            parts = LocalParts(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        } else if let day = number(0, 2), byte(2, "."), let month = number(3, 2), byte(5, "."), let year = number(6, 4) {
            parts = LocalParts(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        } else {
            return nil
        }
        if bytes.count == 10 { return parts }
        guard byte(10, " Tt"), let hour = number(11, 2), byte(13, ":"), let minute = number(14, 2) else { return nil }
        parts.hour = hour
        parts.minute = minute
        if bytes.count == 16 { return parts }
        guard bytes.count == 19, byte(16, ":"), let second = number(17, 2) else { return nil }
        parts.second = second
        return parts
    }

    private static func localInstant(_ parts: LocalParts, timeZone: TimeZone) -> Instant? {
        guard let date = LocalDate(year: parts.year, month: parts.month, day: parts.day),
              parts.hour <= 23, parts.minute <= 59, parts.second <= 59
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var components = DateComponents()
        (components.year, components.month, components.day) = (date.year, date.month, date.day)
        (components.hour, components.minute, components.second) = (parts.hour, parts.minute, parts.second)
        guard let moment = calendar.date(from: components) else { return nil }
        return Instant(microsecondsSinceEpoch: Int64(moment.timeIntervalSince1970.rounded()) * 1_000_000)
    }
}
