import Foundation

/// Rewrites export cells into the forms the live callback normalizer reads, so both paths share one set of rules.
enum ExportCells {
    /// A money cell as a plain decimal (`14900.50`) and the currency its suffix names, if any.
    ///
    /// `decimalSeparator` decides what `,` and `.` mean: with `.comma`, `14 900,50` and `"300 руб."` are read and a
    /// `.` between digits is refused (it could be either); with `.point`, `,` may only group thousands (`14,900.50`).
    /// Spaces of any kind group thousands. Never guesses: an ambiguous cell is an error naming the setting.
    static func money(_ raw: String, decimalSeparator: DecimalSeparator) throws(CellProblem) -> (amount: String, currency: String?) {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var suffix = ""
        while let last = text.unicodeScalars.last, !("0"..."9").contains(last) {
            suffix = String(last) + suffix
            text.unicodeScalars.removeLast()
        }
        var prefix = ""
        while let first = text.unicodeScalars.first, !("0"..."9").contains(first), first != "-" {
            prefix += String(first)
            text.unicodeScalars.removeFirst()
        }
        let currency = try currencyCode(prefix.trimmingCharacters(in: .whitespaces) + suffix.trimmingCharacters(in: .whitespaces), raw: raw)
        var digits = String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
        switch decimalSeparator {
        case .comma:
            if digits.contains(".") {
                throw CellProblem("has a '.' but the decimal separator is ',' (--decimal comma); use --decimal point if '.' is the decimal point, got \(quotedCell(raw))")
            }
            if digits.filter({ $0 == "," }).count > 1 {
                throw CellProblem("must be a decimal number, got \(quotedCell(raw))")
            }
            digits = digits.replacingOccurrences(of: ",", with: ".")
        case .point:
            let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            // A comma only groups thousands: "14,900" yes, "299,7" no (that is a decimal comma: wrong setting).
            if groups.count > 1, groups.dropFirst().contains(where: { $0.count != 3 }) || groups[0].isEmpty {
                throw CellProblem("has a ',' that does not group thousands but the decimal separator is '.' (--decimal point); use --decimal comma if ',' is the decimal comma, got \(quotedCell(raw))")
            }
            digits = digits.replacingOccurrences(of: ",", with: "")
        }
        if digits.isEmpty {
            throw CellProblem("must be a decimal number, got \(quotedCell(raw))")
        }
        return (digits, currency)
    }

    /// Currency words and signs seen around GetCourse amounts; a 3-letter Latin code passes as written.
    static let currencyWords: [String: String] = [
        "руб.": "RUB", "руб": "RUB", "р.": "RUB", "₽": "RUB", "rub": "RUB",
        "$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "₸": "KZT", "тг": "KZT", "тг.": "KZT", "тенге": "KZT",
        "грн": "UAH", "грн.": "UAH", "₴": "UAH", "byn": "BYN", "бел.руб.": "BYN",
    ]

    private static func currencyCode(_ word: String, raw: String) throws(CellProblem) -> String? {
        if word.isEmpty { return nil }
        if let code = currencyWords[word.lowercased()] { return code }
        if word.utf8.count == 3, word.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) {
            return word.uppercased()
        }
        throw CellProblem("has an unknown currency \(quotedCell(word)) around the amount, got \(quotedCell(raw))")
    }

    /// A date cell with a one-digit hour (`2023-08-17 8:00`, as some exports and spreadsheet re-saves write it)
    /// padded to the two digits the callback's parser reads; anything else unchanged.
    static func date(_ raw: String) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let bytes = Array(text.utf8)
        guard bytes.count >= 15, bytes[10] == UInt8(ascii: " "), bytes[12] == UInt8(ascii: ":"),
              (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[11])
        else { return text }
        return String(decoding: bytes[..<11] + [UInt8(ascii: "0")] + bytes[11...], as: UTF8.self)
    }

    /// The currency a cost column's title carries (`Стоимость, RUB` → `RUB`).
    static func currencyInTitle(_ title: String) -> String? {
        guard let comma = title.lastIndex(of: ",") else { return nil }
        let code = title[title.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard code.utf8.count == 3, code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return nil }
        return code
    }
}

/// What is wrong with one cell, without where it is (the caller knows the file, line and column).
struct CellProblem: Error, Sendable {
    var problem: String
    init(_ problem: String) { self.problem = problem }
}

/// A cell's text for an error message: quoted, and cut short so a stray multi-line cell cannot flood the report.
func quotedCell(_ text: String) -> String {
    let shown = text.count > 60 ? String(text.prefix(60)) + "…" : text
    var result = "\""
    for scalar in shown.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
