import CurrencyRates
import Events
import Foundation
import Logging
import PipelineTestSupport
import Postgres
import Testing
import Worker

/// A database holding only `pipeline.fx_rates`, so these tests stand apart from the migrations.
private struct FxDatabase {
    let url: String
    let logger: Logger

    init() throws {
        var logger = Logger(label: "fx-import-tests")
        logger.logLevel = .error
        self.logger = logger
        url = try ThrowawayPostgres.shared.createDatabase(prefix: "fx")
        try withConnection { connection in
            try connection.execute("CREATE SCHEMA IF NOT EXISTS pipeline")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS pipeline.fx_rates (
                    base_currency text, currency text, day date, rate numeric,
                    PRIMARY KEY (base_currency, currency, day))
                """)
        }
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try PostgresConnection(connectionString: url, logger: logger)
        defer { connection.close() }
        return try body(connection)
    }

    func importCSV(_ text: String, base: String = "RUB") throws -> FxRateImportSummary {
        try withConnection { try importFxRates(csv: text, base: base, into: $0) }
    }

    /// Every stored rate as `BASE CUR day rate`, the rate as PostgreSQL prints the numeric.
    func rows() throws -> [String] {
        try withConnection { connection in
            try connection.execute(
                "SELECT base_currency, currency, day::text, rate::text FROM pipeline.fx_rates ORDER BY 1, 2, 3"
            ).rows.map { row in (0..<4).map { row[$0] ?? "NULL" }.joined(separator: " ") }
        }
    }
}

private let marchRates = """
    currency,day,rate
    USD,2026-03-01,92.4512
    EUR,2026-03-01,100.1
    USD,2026-03-02,91.00
    """

@Suite("pipeline fx import")
struct FxImportTests {
    @Test("a valid file is stored exactly, decimals as written")
    func validFile() throws {
        let database = try FxDatabase()
        let summary = try database.importCSV(marchRates)
        #expect(summary == FxRateImportSummary(imported: 3, new: 3, changed: 0))
        #expect(try database.rows() == [
            "RUB EUR 2026-03-01 100.1",
            "RUB USD 2026-03-01 92.4512",
            "RUB USD 2026-03-02 91.00",
        ])
    }

    @Test("re-importing counts new and changed rows exactly and keeps the new rate")
    func reimport() throws {
        let database = try FxDatabase()
        _ = try database.importCSV(marchRates)
        // Same file again: nothing new, nothing changed (91.0 equals 91.00 numerically).
        #expect(try database.importCSV(marchRates.replacingOccurrences(of: "91.00", with: "91.0"))
            == FxRateImportSummary(imported: 3, new: 0, changed: 0))
        let summary = try database.importCSV("""
            currency,day,rate
            USD,2026-03-01,92.4512
            EUR,2026-03-01,100.25
            USD,2026-03-02,91.00
            KZT,2026-03-01,0.1834
            """)
        #expect(summary == FxRateImportSummary(imported: 4, new: 1, changed: 1))
        #expect(try database.rows() == [
            "RUB EUR 2026-03-01 100.25",
            "RUB KZT 2026-03-01 0.1834",
            "RUB USD 2026-03-01 92.4512",
            "RUB USD 2026-03-02 91.00",
        ])
        // Another base is another set of rows, not a change of these.
        #expect(try database.importCSV("currency,day,rate\nUSD,2026-03-01,487.1\n", base: "KZT")
            == FxRateImportSummary(imported: 1, new: 1, changed: 0))
        #expect(try database.rows().count == 5)
    }

    @Test("two bad lines: both reported with line and field, nothing written")
    func badLines() throws {
        let database = try FxDatabase()
        _ = try database.importCSV(marchRates)
        let before = try database.rows()
        let file = """
            currency,day,rate
            USD,2026-03-01,95
            GBP,2026-03-01,117.3
            EUR,2026-03-01,abc
            USD,2026-03-03,91.2
            EUR,2026-02-30,101
            """
        let error = #expect(throws: FxRateFileRejected.self) { try database.importCSV(file) }
        #expect(error?.errors.map(\.description) == [
            #"line 4: rate: must be a positive decimal, got "abc""#,
            #"line 6: day: must be a date YYYY-MM-DD, got "2026-02-30""#,
        ])
        #expect(error?.errors.map(\.line) == [4, 6])
        #expect(error?.errors.map(\.field) == ["rate", "day"])
        #expect(try database.rows() == before)
    }

    @Test("every kind of problem is named, and harmless variations are accepted")
    func parsing() throws {
        let bad = FxRateFile.parse("""
            currency,day,rate
            US,2026-03-01,1
            USD,2026/03/01,1
            USD,2026-03-01,-1
            USD,2026-03-01,0
            USD,2026-03-01,1e3
            USD,2026-03-01,92.4512
            USD,2026-03-01,92.4513
            RUB,2026-03-01,1
            USD,2026-03-04
            EUR,"2026-03-01,1
            usd,2026-13-01,x
            """, base: "RUB")
        #expect(bad.rows.map(\.line) == [7])
        #expect(bad.errors.map(\.description) == [
            #"line 2: currency: must be 3 uppercase letters (ISO 4217), got "US""#,
            #"line 3: day: must be a date YYYY-MM-DD, got "2026/03/01""#,
            #"line 4: rate: must be a positive decimal, got "-1""#,
            #"line 5: rate: must be a positive decimal, got "0""#,
            #"line 6: rate: must be a positive decimal, got "1e3""#,
            "line 8: day: USD on 2026-03-01 is already given on line 7",
            "line 9: currency: is the base currency RUB, whose rate is always 1",
            "line 10: row: must have 3 fields (currency,day,rate), got 2",
            "line 11: row: a quoted field is not closed",
            #"line 12: currency: must be 3 uppercase letters (ISO 4217), got "usd""#,
            #"line 12: day: must be a date YYYY-MM-DD, got "2026-13-01""#,
            #"line 12: rate: must be a positive decimal, got "x""#,
        ])

        #expect(FxRateFile.parse("currency,date,rate\nUSD,2026-03-01,1\n", base: "RUB").errors.map(\.description)
            == [#"line 1: header: must be "currency,day,rate", got "currency,date,rate""#])
        #expect(FxRateFile.parse("", base: "RUB").errors.map(\.description)
            == [#"line 1: header: missing: the file must start with "currency,day,rate""#])

        // A spreadsheet's export: byte order mark, CRLF, quotes, blanks around fields, an empty line.
        let exported = FxRateFile.parse(
            "\u{FEFF}Currency,Day,Rate\r\n\"USD\", 2026-03-01 ,\"92.4512\"\r\n\r\nEUR,2026-03-01,100.1\r\n", base: "RUB")
        #expect(exported.errors.isEmpty)
        #expect(exported.rows == [
            FxRateRow(currency: "USD", day: LocalDate("2026-03-01")!, rate: DecimalNumber("92.4512")!, line: 2),
            FxRateRow(currency: "EUR", day: LocalDate("2026-03-01")!, rate: DecimalNumber("100.1")!, line: 4),
        ])
        #expect(exported.rows.first?.rate.description == "92.4512")
    }

    @Test("the command prints its counts, and rejects a bad file with exit status 1")
    func command() throws {
        let database = try FxDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("rates.csv")
        try Data(marchRates.utf8).write(to: good)
        let environment = ["DATABASE_URL": database.url]

        let first = try PipelineProcess.run(["fx", "import", good.path], environment: environment)
        #expect(first.status == 0)
        #expect(first.stdout == "imported 3 rate(s) for base RUB (3 new, 0 changed)\n")

        let bad = directory.appendingPathComponent("bad.csv")
        try Data("currency,day,rate\nUSD,2026-03-01,93\nEUR,2026-03-01,abc\nXX,2026-03-01,1\n".utf8).write(to: bad)
        let rejected = try PipelineProcess.run(["fx", "import", bad.path], environment: environment)
        #expect(rejected.status == 1)
        #expect(rejected.stdout == "")
        #expect(rejected.stderr.contains(#"line 3: rate: must be a positive decimal, got "abc""#))
        #expect(rejected.stderr.contains(#"line 4: currency: must be 3 uppercase letters (ISO 4217), got "XX""#))
        #expect(try database.rows().contains("RUB USD 2026-03-01 92.4512"))

        let kzt = try PipelineProcess.run(["fx", "import", good.path, "--base", "KZT"], environment: environment)
        #expect(kzt.stdout == "imported 3 rate(s) for base KZT (3 new, 0 changed)\n")
    }
}

/// The `pipeline` executable as the fx and redrive tests run it.
enum PipelineProcess {
    /// Runs the executable built beside this test bundle (or named by PIPELINE_BIN) to its end.
    static func run(_ arguments: [String], environment extra: [String: String]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let executable: URL
        if let path = ProcessInfo.processInfo.environment["PIPELINE_BIN"] {
            executable = URL(fileURLWithPath: path)
        } else {
            executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("pipeline")
        }
        var environment = ["LOG_LEVEL": "error"]
        environment.merge(extra) { $1 }
        // Both pipes are drained together by the helper, so a full one cannot stall the child.
        let outcome = try ChildProcess.run(executable.path, arguments, environment: environment)
        return (outcome.status, outcome.standardOutput, outcome.standardError)
    }
}
