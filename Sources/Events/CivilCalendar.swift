/// Proleptic Gregorian day arithmetic (Howard Hinnant's algorithms), kept free of Foundation so that
/// parsing and formatting instants is exact and allocation-free.
enum CivilCalendar {
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        (1...9999).contains(year) && (1...12).contains(month) && (1...daysInMonth(year: year, month: month)).contains(day)
    }

    /// Days since 1970-01-01 of a valid date.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Reads exactly `count` ASCII digits at `index`, or nil.
    static func digits(_ bytes: [UInt8], _ index: Int, _ count: Int) -> Int? {
        bytes.withUnsafeBufferPointer { digits($0, index, count) }
    }

    /// As `digits(_:_:_:)`, over bytes in place.
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ count: Int) -> Int? {
        guard index >= 0, index + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `YYYY-MM-DD`, and with a second of the day `YYYY-MM-DDThh:mm:ssZ` (with `.ffffff` before
    /// the `Z` when `fraction` is not 0), written into one buffer; nil for a year outside
    /// 0000–9999, which the caller spells part by part. Each part as its own String, joined,
    /// was 4 % of the worker's CPU: every row it writes carries its days and instants as text.
    static func formatted(year: Int, month: Int, day: Int, secondOfDay: Int? = nil, fraction: Int = 0) -> String? {
        guard (0...9999).contains(year) else { return nil }
        let length = secondOfDay == nil ? 10 : (fraction == 0 ? 20 : 27)
        return String(unsafeUninitializedCapacity: length) { buffer in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in (offset..<offset + width).reversed() {
                    buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(year, width: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, width: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, width: 2, at: 8)
            guard let second = secondOfDay else { return length }
            buffer[10] = UInt8(ascii: "T")
            put(second / 3600, width: 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(second / 60 % 60, width: 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second % 60, width: 2, at: 17)
            if fraction != 0 {
                buffer[19] = UInt8(ascii: ".")
                put(fraction, width: 6, at: 20)
            }
            buffer[length - 1] = UInt8(ascii: "Z")
            return length
        }
    }

    static func zeroPadded(_ value: Int, width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
