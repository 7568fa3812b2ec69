import ArgumentParser
import Foundation

/// `pipeline demo-data`: a demo school's month of events, as JSON lines.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write a demo school's month of registrations as JSON-lines envelopes (deterministic for a seed).",
        discussion: "Some registrations are written twice, as a retried webhook would deliver them: they must count once.")

    @Option(help: "Registrations to generate.")
    var registrations: Int = 2_000

    @Option(help: "Project (school) name.")
    var project: String = "demo-school"

    @Option(help: "Month, YYYY-MM.")
    var month: String = "2026-10"

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 42

    @Option(help: "Share of registrations written twice (0...1).")
    var duplicateShare: Double = 0.05

    func run() throws {
        guard registrations >= 0 else { throw ValidationError("--registrations: must not be negative") }
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let monthNumber = Int(parts[1]), (1...12).contains(monthNumber)
        else { throw ValidationError("--month: must be YYYY-MM, got \"\(month)\"") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let days = calendar.range(of: .day, in: .month,
                                  for: calendar.date(from: DateComponents(year: year, month: monthNumber, day: 1))!)!.count
        var random = SplitMix64(seed: seed)
        let sources: [(source: String, campaigns: [String])] = [
            ("yandex", ["71230001", "71230002"]), ("vk", ["vk-5501"]), ("facebook", ["23851"]),
            ("google", ["g-900"]), ("", []),
        ]
        let output = FileHandle.standardOutput
        var buffer = ""
        for index in 0..<registrations {
            let day = Int(random.next() % UInt64(days)) + 1
            let second = Int(random.next() % 86_400)
            let channel = sources[Int(random.next() % UInt64(sources.count))]
            var utm: [String] = []
            if !channel.source.isEmpty {
                let campaign = channel.campaigns[Int(random.next() % UInt64(channel.campaigns.count))]
                utm = ["\"source\":\"\(channel.source)\"", "\"medium\":\"cpc\"", "\"campaign\":\"\(campaign)\"",
                       "\"content\":\"ad-\(campaign)-\(random.next() % 3)\""]
            }
            let line = """
                {"id":"getcourse:user:\(index)","type":"registration","project":"\(project)","source":"getcourse",\
                "occurred_at":"\(String(format: "%04d-%02d-%02dT%02d:%02d:%02d+03:00", year, monthNumber, day, second / 3600, second / 60 % 60, second % 60))",\
                "data":{"user_id":"u\(index)","funnel":"webinar","utm":{\(utm.joined(separator: ","))}}}

                """
            buffer += line
            if Double(random.next() % 10_000) / 10_000 < duplicateShare { buffer += line }
            if buffer.utf8.count > 1 << 16 {
                output.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        output.write(Data(buffer.utf8))
    }
}

/// A small, fast, seedable generator, so demo data is the same on every machine.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
