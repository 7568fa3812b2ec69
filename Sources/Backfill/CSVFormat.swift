/// How a platform's CSV export is written: GetCourse's own exports vary by account settings and by the tool that re-saved them.
public struct CSVFormat: Sendable, Hashable {
    /// The field separator; one ASCII character (`;` in GetCourse's Russian exports, `,` after Google Sheets).
    public var delimiter: UInt8
    public var encoding: TextEncoding
    public var decimalSeparator: DecimalSeparator

    /// Defaults are GetCourse's own download: `;`, UTF-8 (with or without BOM), decimal comma.
    public init(delimiter: UInt8 = UInt8(ascii: ";"), encoding: TextEncoding = .utf8, decimalSeparator: DecimalSeparator = .comma) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.decimalSeparator = decimalSeparator
    }
}

/// The character set of an export: UTF-8, or Windows-1251 as Excel saves Cyrillic CSV on a Russian Windows.
public enum TextEncoding: String, Sendable, Hashable, CaseIterable {
    case utf8 = "utf-8"
    case windows1251 = "windows-1251"

    /// Accepts the usual spellings (`UTF8`, `cp1251`, `win-1251`).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "windows-1251", "cp1251", "win-1251", "windows1251", "cp-1251": self = .windows1251
        default: return nil
        }
    }

    /// The text of one cell, or nil when its bytes are not valid in this encoding.
    public func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        switch self {
        case .utf8:
            var iterator = bytes.makeIterator()
            var scalars = String.UnicodeScalarView()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: return String(scalars)
                case .error: return nil
                }
            }
        case .windows1251:
            var scalars = String.UnicodeScalarView()
            scalars.reserveCapacity(bytes.count)
            for byte in bytes {
                if byte < 0x80 {
                    scalars.append(Unicode.Scalar(byte))
                } else if byte >= 0xC0 {
                    // А…я are contiguous in both tables.
                    scalars.append(Unicode.Scalar(UInt32(byte) - 0xC0 + 0x0410)!)
                } else {
                    let value = Self.windows1251High[Int(byte) - 0x80]
                    guard value != 0 else { return nil }
                    scalars.append(Unicode.Scalar(value)!)
                }
            }
            return String(scalars)
        }
    }

    /// Windows-1251 bytes 0x80…0xBF as Unicode scalars (0x98 is unassigned).
    static let windows1251High: [UInt32] = [
        0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
        0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x0000, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
        0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
        0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
    ]
}

/// Which character separates the decimals of money cells; the other one (or a space) may only group thousands.
public enum DecimalSeparator: String, Sendable, Hashable, CaseIterable {
    /// `14 900,50`: Russian locale, GetCourse's UI export and Excel on a Russian Windows.
    case comma
    /// `14,900.50` or `14900.50`: the Export API and English-locale tools.
    case point
}
