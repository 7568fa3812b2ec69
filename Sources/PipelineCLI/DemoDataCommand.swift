import ArgumentParser
import DemoData
import Events
import Foundation

/// `pipeline demo-data`: a demo school's month of events, as JSON lines.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write a demo school's month of events as JSON-lines envelopes (deterministic for a seed and period).",
        discussion: """
            Ad spend polled twice a day (with campaign, ad group and ad names; one campaign renamed mid-month), \
            tracked visits, registrations in three funnels, orders with products, tariffs, tags (launch, flow, \
            free tags), managers and, for orders from a letter, the deal's own UTM; payments (some in USD, a few \
            refunded), mailings and community chats of one online school, with courses, lessons, homework and \
            webinars, returning buyers and Telegram members linked to their users (some links late). Four ads \
            have scripted last two weeks, so bi.creative_burnout shows the statuses new, burnt_out, stagnating and growing. \
            As in production, some events are written twice (retried webhooks: they must count once) and some \
            users' first registration comes after their orders and payments (late data: their money must move to their ad). \
            The period is by default the month-long stretch ending yesterday in --time-zone; --month or --until fix it. \
            USD amounts need a rate: write one with --fx-rates and load it with `pipeline fx import`.
            """)

    @Option(help: "Project (school) name.")
    var project: String = "demo-school"

    @Option(help: "A calendar month, YYYY-MM, instead of the stretch ending yesterday (for reproducible data).")
    var month: String?

    @Option(help: "The period's last day, YYYY-MM-DD: the month-long stretch ending that day (default: yesterday in --time-zone).")
    var until: String?

    @Flag(help: "Print the period's first and last day (`YYYY-MM-DD YYYY-MM-DD`) and generate nothing.")
    var printPeriod = false

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 42

    @Option(help: "Traffic multiplier: 1 gives about 6,000 lines; every count follows the traffic.")
    var scale: Double = 1

    @Option(help: "Time zone of the school's clock (IANA name).")
    var timeZone: String = TimeZone.projectDefaultIdentifier

    @Option(help: "Share of events written twice, as retried webhooks (0...1).")
    var duplicateShare: Double = 0.03

    @Option(help: "Also write the period's daily USD rates (RUB per 1 USD) to this CSV file, for `pipeline fx import`.")
    var fxRates: String?

    func validate() throws {
        guard month == nil || until == nil else { throw ValidationError("--month and --until: give at most one") }
        guard scale > 0, scale <= 1_000 else { throw ValidationError("--scale: must be in (0, 1000], got \(scale)") }
        guard (0...1).contains(duplicateShare) else { throw ValidationError("--duplicate-share: must be in 0...1") }
        guard !project.isEmpty else { throw ValidationError("--project: must not be empty") }
    }

    func run() throws {
        guard let zone = TimeZone(identifier: timeZone) else { throw ValidationError("--time-zone: unknown time zone \"\(timeZone)\"") }
        let period = try self.period(in: zone)
        if printPeriod {
            print(period)
            return
        }
        var school = DemoSchool(settings: DemoSchool.Settings(
            project: project, period: period, seed: seed, scale: scale, timeZone: zone, duplicateShare: duplicateShare))
        if let fxRates {
            // Written first, so a failing path is reported before minutes of output.
            try Data(school.fxRatesCSV().utf8).write(to: URL(fileURLWithPath: fxRates))
        }
        let events = try school.events()
        let output = FileHandle.standardOutput
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        for event in events {
            buffer += event.encodeJSON()
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count > 1 << 16 {
                output.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        output.write(Data(buffer))
    }

    private func period(in zone: TimeZone) throws -> DemoPeriod {
        if let month {
            let parts = month.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
                  let year = Int(parts[0]), let number = Int(parts[1]), let period = DemoPeriod(year: year, month: number)
            else { throw ValidationError("--month: must be YYYY-MM, got \"\(month)\"") }
            return period
        }
        if let until {
            guard let day = LocalDate(until) else { throw ValidationError("--until: must be YYYY-MM-DD, got \"\(until)\"") }
            return DemoPeriod(endingOn: day)
        }
        return .endingYesterday(in: zone)
    }
}
