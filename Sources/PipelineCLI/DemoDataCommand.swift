import ArgumentParser
import Events
import Foundation

/// `pipeline demo-data`: a demo school's month of events, as JSON lines.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write a demo school's month of events as JSON-lines envelopes (deterministic for a seed).",
        discussion: """
            Ad spend polled twice a day, tracked visits, registrations, orders, payments (some in USD, \
            a few refunded), mailings and community chats of one online school. As in production, some \
            events are written twice (retried webhooks: they must count once) and some users' first \
            registration comes after their orders and payments (late data: their money must move to their ad). \
            USD amounts need a rate: write one with --fx-rates and load it with `pipeline fx import`.
            """)

    @Option(help: "Project (school) name.")
    var project: String = "demo-school"

    @Option(help: "Month, YYYY-MM.")
    var month: String = "2026-10"

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 42

    @Option(help: "Traffic multiplier: 1 gives about 6,000 lines; every count follows the traffic.")
    var scale: Double = 1

    @Option(help: "Time zone of the school's clock (IANA name).")
    var timeZone: String = TimeZone.projectDefaultIdentifier

    @Option(help: "Share of events written twice, as retried webhooks (0...1).")
    var duplicateShare: Double = 0.03

    @Option(help: "Also write the month's daily USD rates (RUB per 1 USD) to this CSV file, for `pipeline fx import`.")
    var fxRates: String?

    func run() throws {
        let parts = month.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let monthNumber = Int(parts[1]), (1...12).contains(monthNumber)
        else { throw ValidationError("--month: must be YYYY-MM, got \"\(month)\"") }
        guard scale > 0, scale <= 1_000 else { throw ValidationError("--scale: must be in (0, 1000], got \(scale)") }
        guard (0...1).contains(duplicateShare) else { throw ValidationError("--duplicate-share: must be in 0...1") }
        guard !project.isEmpty else { throw ValidationError("--project: must not be empty") }
        guard let zone = TimeZone(identifier: timeZone) else { throw ValidationError("--time-zone: unknown time zone \"\(timeZone)\"") }

        var school = DemoSchool(settings: DemoSchool.Settings(
            project: project, year: year, month: monthNumber, seed: seed, scale: scale, timeZone: zone,
            duplicateShare: duplicateShare))
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
}
