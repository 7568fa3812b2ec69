import CurrencyRates
import Events
import Foundation

/// The Bank of Russia's daily rates (`XML_daily.asp?date_req=DD/MM/YYYY`) in pure functions.
///
/// The answer is windows-1251 XML: `<ValCurs Date="DD.MM.YYYY">` holding `<Valute ID="R01235">` elements
/// with `CharCode`, `Nominal`, `Value` (RUB for `Nominal` units, decimal comma) and, since 2022,
/// `VunitRate` (RUB for one unit). `Date` is the day the rates are set for, which is not always the day
/// asked for (a Sunday answers with Saturday's set), so rates are stored under `Date`.
public enum CBRDailyRates {
    /// One day's set as published.
    public struct DailySet: Sendable, Equatable {
        public var day: LocalDate
        public var rates: [Rate]
    }

    /// One currency's rate: `rate` RUB per 1 unit.
    public struct Rate: Sendable, Equatable {
        public var currency: String
        public var nominal: Int
        public var value: DecimalNumber
        public var rate: DecimalNumber
    }

    /// A problem in the answer, naming the element.
    struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var element: String
        public var problem: String
        public var description: String { "CBR XML: \(element): \(problem)" }
    }

    /// `DD/MM/YYYY`, the query parameter's format.
    public static func queryDate(_ day: LocalDate) -> String {
        let text = day.description  // YYYY-MM-DD
        let parts = text.split(separator: "-")
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }

    /// Parses the raw bytes (windows-1251, as served).
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> DailySet {
        try parse(text: CP1251.decode(bytes))
    }

    static func parse(text: String) throws(ParseError) -> DailySet {
        guard let root = text.range(of: "<ValCurs") else {
            throw ParseError(element: "ValCurs", problem: "missing: not a daily rates document")
        }
        let rootTag = text[root.lowerBound...].prefix { $0 != ">" }
        guard let dateText = attribute("Date", in: rootTag), let day = russianDate(dateText) else {
            throw ParseError(element: "ValCurs", problem: "Date must be DD.MM.YYYY, got \(attribute("Date", in: rootTag).map { "\"\($0)\"" } ?? "nothing")")
        }
        var rates: [Rate] = []
        var rest = text[root.upperBound...]
        while let open = rest.range(of: "<Valute") {
            guard let close = rest.range(of: "</Valute>", range: open.upperBound..<rest.endIndex) else {
                throw ParseError(element: "Valute", problem: "not closed")
            }
            let element = rest[open.lowerBound..<close.lowerBound]
            let id = attribute("ID", in: element.prefix { $0 != ">" }) ?? "?"
            let name = "Valute \(id)"
            guard let code = child("CharCode", in: element), FxRateFile.isCurrencyCode(code) else {
                throw ParseError(element: "\(name) CharCode", problem: "must be 3 uppercase letters, got \(child("CharCode", in: element).map { "\"\($0)\"" } ?? "nothing")")
            }
            guard let nominalText = child("Nominal", in: element), let nominal = Int(nominalText), nominal > 0 else {
                throw ParseError(element: "\(name) (\(code)) Nominal", problem: "must be a positive whole number, got \(child("Nominal", in: element).map { "\"\($0)\"" } ?? "nothing")")
            }
            guard let valueText = child("Value", in: element), let value = commaDecimal(valueText), value > .zero else {
                throw ParseError(element: "\(name) (\(code)) Value", problem: "must be a positive decimal with a comma, got \(child("Value", in: element).map { "\"\($0)\"" } ?? "nothing")")
            }
            var unitRate: DecimalNumber?
            if let text = child("VunitRate", in: element) {
                guard let parsed = commaDecimal(text), parsed > .zero else {
                    throw ParseError(element: "\(name) (\(code)) VunitRate", problem: "must be a positive decimal with a comma, got \"\(text)\"")
                }
                unitRate = parsed
            }
            rates.append(Rate(currency: code, nominal: nominal, value: value, rate: perUnit(value: value, nominal: nominal, unitRate: unitRate)))
            rest = rest[close.upperBound...]
        }
        return DailySet(day: day, rates: rates)
    }

    /// Value ÷ Nominal, exact when Nominal is a power of ten (always so far: 1, 10, 100, 1000, 10000);
    /// otherwise `VunitRate` as published, or the quotient to 10 places when there is none.
    static func perUnit(value: DecimalNumber, nominal: Int, unitRate: DecimalNumber?) -> DecimalNumber {
        var power = 0
        var rest = nominal
        while rest % 10 == 0 && rest > 1 {
            rest /= 10
            power += 1
        }
        if rest == 1, value.scale + power <= DecimalNumber.maximumScale {
            return DecimalNumber(significand: value.significand, scale: value.scale + power)
        }
        return unitRate ?? value.divided(by: DecimalNumber(nominal), toScale: 10)!
    }

    /// `"92,4512"` → 92.4512 (the bank writes a decimal comma).
    static func commaDecimal(_ text: String) -> DecimalNumber? {
        DecimalNumber(text.replacingOccurrences(of: ",", with: "."))
    }

    static func russianDate(_ text: String) -> LocalDate? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        for quote in ["\"", "'"] {
            if let start = tag.range(of: " \(name)=\(quote)"),
               let end = tag.range(of: quote, range: start.upperBound..<tag.endIndex)
            {
                return String(tag[start.upperBound..<end.lowerBound])
            }
        }
        return nil
    }

    private static func child(_ name: String, in element: Substring) -> String? {
        guard let open = element.range(of: "<\(name)>"),
              let close = element.range(of: "</\(name)>", range: open.upperBound..<element.endIndex)
        else { return nil }
        return String(element[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
