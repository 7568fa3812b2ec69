/// Decodes `application/x-www-form-urlencoded` query strings on bytes, as the WHATWG URL standard does.
///
/// `+` is a space, `%XX` one byte; a `%` not followed by two hex digits stays as it is. A name or value whose
/// decoded bytes are not UTF-8 (`user_id=%FF%FE%FD`) is not kept as text: it is listed in `undecodable`, and
/// `checked()` refuses it under its name. (On bytes, not `removingPercentEncoding`, which went through NSString
/// and cost about a fifth of the server's CPU per GetCourse callback.)
public struct FormQuery: Sendable, Equatable {
    /// Parameters by name; of a repeated name the last counts; a name without `=` has the value "".
    public var parameters: [String: String]
    /// The names (as sent, `+` read as a space) whose name or value does not decode to UTF-8, in query order.
    public var undecodable: [String]

    /// Parses `query` (the part after `?`, without it).
    public init(_ query: Substring) {
        parameters = [:]
        undecodable = []
        let bytes = query.utf8
        var pairStart = bytes.startIndex
        while pairStart < bytes.endIndex {
            let pairEnd = bytes[pairStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.endIndex
            if pairStart < pairEnd {
                let pair = query[pairStart..<pairEnd]
                let equals = pair.utf8.firstIndex(of: UInt8(ascii: "="))
                let rawName = equals.map { pair[..<$0] } ?? pair
                let name = Self.decode(rawName)
                let value = equals.map { Self.decode(pair[pair.index(after: $0)...]) } ?? ""
                if let name, let value {
                    parameters[name] = value
                } else {
                    undecodable.append(name ?? Self.spaced(rawName))
                }
            }
            pairStart = pairEnd < bytes.endIndex ? bytes.index(after: pairEnd) : pairEnd
        }
    }

    /// The parameters, or the first name whose name or value is not UTF-8 once decoded.
    /// - Throws: `NormalizationError` under that name: a 400 for a route, never a raw `%FF` kept as text.
    public func checked() throws(NormalizationError) -> [String: String] {
        if let name = undecodable.first {
            throw NormalizationError(field: name, problem: "percent-encoded bytes are not UTF-8")
        }
        return parameters
    }

    /// One name or value: `+` → space, `%XX` → byte, a stray `%` kept; nil when the bytes are not UTF-8.
    static func decode(_ part: Substring) -> String? {
        let utf8 = part.utf8
        guard utf8.contains(where: { $0 == plus || $0 == percent }) else { return String(part) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            utf8.formIndex(after: &index)
            switch byte {
            case plus:
                decoded.append(0x20)
            case percent:
                let second = index < utf8.endIndex ? utf8.index(after: index) : index
                if index < utf8.endIndex, second < utf8.endIndex,
                   let high = hexValue(utf8[index]), let low = hexValue(utf8[second]) {
                    decoded.append(high << 4 | low)
                    index = utf8.index(after: second)
                } else {
                    decoded.append(percent)
                }
            default:
                decoded.append(byte)
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    private static let plus = UInt8(ascii: "+")
    private static let percent = UInt8(ascii: "%")

    /// The part as sent but for `+` → space: how an undecodable name is named in an error.
    private static func spaced(_ part: Substring) -> String {
        String(decoding: part.utf8.map { $0 == plus ? 0x20 : $0 }, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
