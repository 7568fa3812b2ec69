import Events
import Postgres

/// One valid line of a rate file: `rate` base-currency units buy one unit of `currency` from `day` on.
public struct FxRateRow: Sendable, Hashable {
    public var currency: String
    public var day: LocalDate
    public var rate: DecimalNumber
    /// Kept so that a problem found later (e.g. by the database) can still point at the file.
    public var line: Int

    public init(currency: String, day: LocalDate, rate: DecimalNumber, line: Int) {
        self.currency = currency
        self.day = day
        self.rate = rate
        self.line = line
    }
}

/// A problem on one line of a rate file (collected, never thrown alone: `FxRateFileRejected` carries them), worded as `line 7: rate: must be a positive decimal, got "abc"`.
public struct FxRateLineProblem: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    /// The column at fault (`currency`, `day`, `rate`), or `header` / `row` for the line as a whole.
    public var field: String
    public var problem: String

    public init(line: Int, field: String, problem: String) {
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String { "line \(line): \(field): \(problem)" }
}

/// The CSV rate file of `pipeline fx import`: header `currency,day,rate`, one rate per line.
///
/// Parsing is all or nothing on purpose: a rate file is small and is corrected as a whole, so
/// every problem is collected (not just the first) and the caller writes nothing if any exists.
public enum FxRateFile {
    /// The only accepted header, in this order.
    public static let header = ["currency", "day", "rate"]

    /// Every valid row and every problem, both in line order; `base` is the currency the rates are in.
    public static func parse(_ text: String, base: String) -> (rows: [FxRateRow], errors: [FxRateLineProblem]) {
        var rows: [FxRateRow] = []
        var errors: [FxRateLineProblem] = []
        // Excel and friends write a byte order mark; it is not part of the header's first name.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        // "\r\n" is one Character in Swift, distinct from "\n": both end a line.
        let lines = body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        var headerSeen = false
        var firstLineOf: [String: Int] = [:]  // "USD 2026-03-01" → line, to name the earlier duplicate.
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            if rawLine.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields: [String]
            do {
                fields = try splitCSV(String(rawLine))
            } catch let problem as CSVProblem {
                errors.append(FxRateLineProblem(line: number, field: headerSeen ? "row" : "header", problem: problem.text))
                headerSeen = true
                continue
            } catch {
                continue  // splitCSV throws nothing else.
            }
            if !headerSeen {
                headerSeen = true
                let names = fields.map { $0.lowercased() }
                if names != header {
                    errors.append(FxRateLineProblem(
                        line: number, field: "header",
                        problem: "must be \"\(header.joined(separator: ","))\", got \"\(rawLine)\""))
                }
                continue
            }
            guard fields.count == header.count else {
                errors.append(FxRateLineProblem(
                    line: number, field: "row",
                    problem: "must have \(header.count) fields (\(header.joined(separator: ","))), got \(fields.count)"))
                continue
            }
            var lineErrors: [FxRateLineProblem] = []
            let currency = fields[0]
            if !isCurrencyCode(currency) {
                lineErrors.append(FxRateLineProblem(
                    line: number, field: "currency", problem: "must be 3 uppercase letters (ISO 4217), got \"\(currency)\""))
            } else if currency == base {
                lineErrors.append(FxRateLineProblem(
                    line: number, field: "currency",
                    problem: "is the base currency \(base), whose rate is always 1"))
            }
            let day = LocalDate(fields[1])
            if day == nil {
                lineErrors.append(FxRateLineProblem(
                    line: number, field: "day", problem: "must be a date YYYY-MM-DD, got \"\(fields[1])\""))
            }
            let rate = DecimalNumber(fields[2]).flatMap { $0 > .zero ? $0 : nil }
            if rate == nil {
                lineErrors.append(FxRateLineProblem(
                    line: number, field: "rate", problem: "must be a positive decimal, got \"\(fields[2])\""))
            }
            if let day, lineErrors.isEmpty {
                // One upsert cannot touch a key twice, and two rates for one day would be ambiguous.
                let key = "\(currency) \(day)"
                if let earlier = firstLineOf[key] {
                    lineErrors.append(FxRateLineProblem(
                        line: number, field: "day", problem: "\(currency) on \(day) is already given on line \(earlier)"))
                } else {
                    firstLineOf[key] = number
                }
            }
            if lineErrors.isEmpty, let day, let rate {
                rows.append(FxRateRow(currency: currency, day: day, rate: rate, line: number))
            }
            errors += lineErrors
        }
        if !headerSeen {
            errors.append(FxRateLineProblem(
                line: 1, field: "header", problem: "missing: the file must start with \"\(header.joined(separator: ","))\""))
        }
        return (rows, errors)
    }

    /// Whether `text` has the shape of an ISO 4217 code; the list of codes itself changes, so it is not checked.
    public static func isCurrencyCode(_ text: String) -> Bool {
        text.utf8.count == 3 && text.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    private struct CSVProblem: Error { var text: String }

    /// RFC 4180 fields of one line, trimmed of surrounding blanks; quotes are accepted because
    /// spreadsheets add them, though no valid value needs them.
    private static func splitCSV(_ line: String) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            if quoted {
                if character == "\"" {
                    // Peek: a doubled quote is a literal quote, anything else closes the field.
                    if let next = characters.next() {
                        if next == "\"" {
                            current.append("\"")
                        } else {
                            quoted = false
                            if next == "," {
                                fields.append(current)
                                current = ""
                                wasQuoted = false
                            } else if next != " " && next != "\t" {
                                throw CSVProblem(text: "unexpected text after a closing quote")
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "," {
                fields.append(wasQuoted ? current : trimmed(current))
                current = ""
                wasQuoted = false
            } else if character == "\"" && trimmed(current).isEmpty && !wasQuoted {
                current = ""
                quoted = true
                wasQuoted = true
            } else if wasQuoted {
                if character != " " && character != "\t" {
                    throw CSVProblem(text: "unexpected text after a closing quote")
                }
            } else {
                current.append(character)
            }
        }
        if quoted { throw CSVProblem(text: "a quoted field is not closed") }
        fields.append(wasQuoted ? current : trimmed(current))
        return fields
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}

/// What an import changed; a row whose rate is already stored (numerically equal) counts as neither new nor changed.
public struct FxRateImportSummary: Sendable, Hashable {
    public var imported: Int
    public var new: Int
    public var changed: Int

    public init(imported: Int, new: Int, changed: Int) {
        self.imported = imported
        self.new = new
        self.changed = changed
    }
}

/// Upserts parsed rates into `pipeline.fx_rates` in one transaction, so the worker never sees half a file.
public func importFxRates(_ rows: [FxRateRow], base: String, into connection: PostgresConnection) throws -> FxRateImportSummary {
    guard !rows.isEmpty else { return FxRateImportSummary(imported: 0, new: 0, changed: 0) }
    // All CTEs share one snapshot, so `previous` sees the table as it was before the upsert:
    // that is what tells a new row from a changed one. Unchanged rates are not rewritten, which
    // keeps the stored text (and the table) untouched by a plain re-import.
    let result = try connection.transaction {
        try connection.execute(
            """
            WITH input AS (
                SELECT * FROM unnest($2::text[], $3::date[], $4::numeric[]) AS input(currency, day, rate)
            ), previous AS (
                SELECT f.currency, f.day FROM pipeline.fx_rates f JOIN input USING (currency, day)
                WHERE f.base_currency = $1
            ), written AS (
                INSERT INTO pipeline.fx_rates (base_currency, currency, day, rate)
                SELECT $1, currency, day, rate FROM input
                ON CONFLICT (base_currency, currency, day) DO UPDATE SET rate = EXCLUDED.rate
                WHERE pipeline.fx_rates.rate <> EXCLUDED.rate
                RETURNING currency, day
            )
            SELECT count(*) FILTER (WHERE previous.currency IS NULL),
                   count(*) FILTER (WHERE previous.currency IS NOT NULL)
            FROM written LEFT JOIN previous USING (currency, day)
            """,
            [base, rows.map(\.currency), rows.map(\.day.description), rows.map(\.rate.description)])
    }
    let row = result.rows[0]  // An aggregate without GROUP BY always answers exactly one row.
    return FxRateImportSummary(
        imported: rows.count, new: try row.decode(0, as: Int.self), changed: try row.decode(1, as: Int.self))
}

/// A rate file with at least one bad line; carries every problem, since the file is fixed as a whole.
public struct FxRateFileRejected: Error, Sendable, CustomStringConvertible {
    public var errors: [FxRateLineProblem]

    public init(errors: [FxRateLineProblem]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Parses a whole rate file and upserts it, or throws `FxRateFileRejected` having written nothing.
public func importFxRates(csv text: String, base: String, into connection: PostgresConnection) throws -> FxRateImportSummary {
    let parsed = FxRateFile.parse(text, base: base)
    guard parsed.errors.isEmpty else { throw FxRateFileRejected(errors: parsed.errors) }
    return try importFxRates(parsed.rows, base: base, into: connection)
}
