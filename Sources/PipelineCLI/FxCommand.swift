import ArgumentParser
import CurrencyRates
import Foundation
import Postgres

/// `pipeline fx`: the currency rates every amount is converted with (SPEC §4, money).
struct FxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx",
        abstract: "Manage the currency rates in pipeline.fx_rates.",
        subcommands: [FxImportCommand.self])
}

/// `pipeline fx import`: loads a rate file, all of it or nothing.
struct FxImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Upsert currency rates from a CSV file (header currency,day,rate) into pipeline.fx_rates.",
        discussion: """
            `rate` is how many base-currency units one unit of `currency` costs on `day` (YYYY-MM-DD), \
            an exact decimal such as 92.4512; it applies from that day until the next rate of the \
            currency. Every line is checked first: if any is invalid, each problem is reported on stderr \
            as `line N: field: problem`, nothing is written, and the exit status is 1. Otherwise all rows \
            are written in one transaction. Events dead-lettered for a missing rate are not retried by \
            themselves: run `pipeline redrive --reason-contains "fx rate missing"` after the import.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "CSV file of rates; '-' reads standard input.")
    var file: String

    @Option(help: ArgumentHelp("Base currency of the rates (default: projects.default.base_currency of the config, else RUB).", valueName: "currency"))
    var base: String?

    func run() throws {
        let settings = try global.settings()
        let logger = makeLogger("pipeline.fx")
        let base = self.base ?? settings.projects.defaults.baseCurrency
        guard FxRateFile.isCurrencyCode(base) else {
            throw ValidationError("--base: must be 3 uppercase letters (ISO 4217), got \"\(base)\"")
        }
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            data = contents
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ValidationError("\(file): not UTF-8 text")
        }
        let summary: FxRateImportSummary
        do {
            // The file is checked before connecting, so its problems show even without a database.
            let parsed = FxRateFile.parse(text, base: base)
            guard parsed.errors.isEmpty else { throw FxRateFileRejected(errors: parsed.errors) }
            let connection = try PostgresConnection(connectionString: settings.databaseURL, logger: logger)
            defer { connection.close() }
            summary = try importFxRates(parsed.rows, base: base, into: connection)
        } catch let rejected as FxRateFileRejected {
            for error in rejected.errors {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
            }
            FileHandle.standardError.write(Data(
                "nothing imported: \(rejected.errors.count) problem(s) in \(file); fix the file and import it again\n".utf8))
            throw ExitCode(1)
        } catch let error as PostgresError where error.sqlState == "42P01" {
            FileHandle.standardError.write(Data("error: table pipeline.fx_rates does not exist: run `pipeline migrate` first\n".utf8))
            throw ExitCode(1)
        }
        print("imported \(summary.imported) rate(s) for base \(base) (\(summary.new) new, \(summary.changed) changed)")
    }
}
