import ArgumentParser
import Events
import Foundation
import Postgres
import Reports

/// `pipeline report`: one self-contained HTML page of a project's figures over a period.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a project's figures over a period, from the bi views.",
        discussion: """
            Headline figures against the previous period of the same length, revenue and spend by day, the \
            funnel, products and offers and launches and tags (each against the previous period), traffic by \
            ad (CPC, CPR, CPA, CPO, ROMI, ROAS, ДРР, NPC), first touch against deal attribution per campaign, \
            the cohort heatmap, creative burnout curves, mailings, managers, community, learning per course \
            (lesson by lesson), webinars and their buyers within 7 days, the retention heatmap with churn and \
            repeat purchases by cohort; campaigns, ads and \
            managers by name beside their ids. One file: inline CSS and SVG, no script, \
            nothing fetched when it is opened. Reads only schema bi (the read-only BI role suffices).
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Project (school) name, as in the events.")
    var project: String

    @Option(help: ArgumentHelp("First day of the period (YYYY-MM-DD).", valueName: "day"))
    var from: String

    @Option(help: ArgumentHelp("Last day of the period, inclusive (YYYY-MM-DD).", valueName: "day"))
    var to: String

    @Option(name: [.short, .long], help: ArgumentHelp("HTML file to write; '-' writes to standard output.", valueName: "file"))
    var output: String = "report.html"

    func run() throws {
        let period: ReportPeriod
        do {
            period = try ReportPeriod(from: try parseDay(from, option: "--from"), to: try parseDay(to, option: "--to"))
        } catch let error as ReportError {
            throw ValidationError(error.message)
        }
        let settings = try global.settings()
        let currency = settings.projects.settings(for: project).baseCurrency
        let logger = makeLogger("pipeline.report")
        let report: Report
        do {
            let connection = try PostgresConnection(connectionString: settings.databaseURL, logger: logger)
            defer { connection.close() }
            let reader = ReportReader(connection: connection)
            guard try reader.projectExists(project) else {
                throw ValidationError("--project: no figures for project \"\(project)\" in bi.funnel_daily")
            }
            report = try reader.report(project: project, currency: currency, period: period, generatedAt: .now)
        } catch let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "3F000" {
            throw ValidationError("the bi views do not exist: run `pipeline migrate` first")
        }
        let html = ReportRenderer().render(report)
        if output == "-" {
            FileHandle.standardOutput.write(Data(html.utf8))
            return
        }
        let url = URL(fileURLWithPath: output)
        do {
            try Data(html.utf8).write(to: url, options: .atomic)
        } catch {
            throw ValidationError("--output: cannot write \(output): \(error.localizedDescription)")
        }
        print("wrote \(url.path) (\(html.utf8.count) bytes): \(project), \(period.from) … \(period.to)")
    }
}

/// A `YYYY-MM-DD` option value, or an error naming the option.
func parseDay(_ text: String, option: String) throws -> LocalDate {
    guard let day = LocalDate(text) else { throw ValidationError("\(option): must be a date YYYY-MM-DD, got \"\(text)\"") }
    return day
}

extension Instant {
    /// The current instant, to the microsecond.
    static var now: Instant {
        Instant(microsecondsSinceEpoch: Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()))
    }
}
