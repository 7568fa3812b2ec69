import Events
import Foundation
import PipelineTestSupport
import Pollers
import Testing

@Suite("pipeline poll --accounts … --check: the real binary against the loopback fakes")
struct PollCheckCommandTests {
    @Test("seven accounts in two projects, one with a missing secret: the table shows it FAILED with its reason, the rest ok, and the exit status is 1")
    func oneBroken() async throws {
        let now = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
        // The fakes' clock stands at the process's wall time: the binary asks for its own today and the tokens
        // the fakes issue are live for it.
        let clock = ManualPollerClock(now: now)
        let networks = UnattendedAccountsTests.networks(clock: clock)
        let fake = FakeAPI { request, _ in networks.respond(request) }
        let state = UnattendedAccountsTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let configuration = state.appendingPathComponent("accounts.json")
        let executable = try PipelineExecutable.url().path
        let (status, output, errors) = try await fake.serve { base in
            try Data(UnattendedAccountsTests.configuration(base: base).utf8).write(to: configuration)
            let environment = ["LOG_LEVEL": "error", "DATABASE_URL": "", "KAFKA_BROKERS": "127.0.0.1:1"]
                .merging(UnattendedAccountsTests.environment) { $1 }
            return try await onOwnThread {
                let process = try ChildProcess(
                    executable: executable,
                    arguments: ["poll", "--accounts", configuration.path, "--state-dir", state.appendingPathComponent("poll").path, "--check"],
                    environment: environment, standardOutput: .capture, standardError: .capture)
                let streams = process.readOutput()
                return (process.wait().status, streams.standardOutput, streams.standardError)
            }
        }
        #expect(status == 1, "stderr: \(errors)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 8, "\(output)")
        #expect(lines.first?.hasPrefix("ACCOUNT") == true)
        let rows = Dictionary(lines.dropFirst().map { ($0.split(separator: " ").first.map(String.init) ?? "", $0) }) { first, _ in first }
        #expect(Set(rows.keys) == Set(UnattendedAccountsTests.healthy + ["beta/vk_ads/vk-b"]))
        #expect(rows["beta/vk_ads/vk-b"]?.contains("FAILED: unauthorized: environment variable VK_B_CLIENT_ID, VK_B_CLIENT_SECRET is not set") == true)
        for name in UnattendedAccountsTests.healthy {
            #expect(rows[name]?.contains("  ok  ") == true, "\(rows[name] ?? "missing \(name)")")
        }
        // Renewing accounts show "(renews)"; Meta's expiry is the one debug_token gave.
        #expect(rows["alpha/google_ads/1111111111"]?.contains("(renews)") == true)
        let metaExpiry = Instant(microsecondsSinceEpoch: UnattendedAccountsTests.metaExpiry(clock) * 1_000_000).rfc3339String
        #expect(rows["beta/meta/222"]?.contains(metaExpiry) == true, "\(rows["beta/meta/222"] ?? "")")
        // Every account was asked, no secret reached the output, and the renewed tokens were kept (0600).
        #expect(Set(networks.calls.map(\.account)) == ["alpha-login", "beta-login", "vk-a", "222", "1111111111", "2222222222"])
        for secret in UnattendedAccountsTests.environment.values where secret != "meta-app" {
            #expect(!output.contains(secret) && !errors.contains(secret), "\(secret) printed")
        }
        let tokens = state.appendingPathComponent("poll/tokens")
        let files = try FileManager.default.contentsOfDirectory(atPath: tokens.path).sorted()
        #expect(files.count == 5)
        for file in files {
            let attributes = try FileManager.default.attributesOfItem(atPath: tokens.appendingPathComponent(file).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
    }
}

@Suite("the compose poll service's accounts file")
struct AccountsExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: root.appendingPathComponent(path)), as: UTF8.self)
    }

    @Test("ops/pollers/accounts.example.json is a valid configuration of several projects; every variable it names is passed by the poll service and listed in .env.example")
    func example() throws {
        let example = try Self.text("ops/pollers/accounts.example.json")
        let configuration = try PollerConfiguration.decode(Data(example.utf8))
        #expect(configuration.projects.count >= 2)
        #expect(configuration.projects.allSatisfy { ($0.yandexDirect ?? []).count + ($0.vkAds ?? []).count + ($0.googleAds ?? []).count >= 2 })
        // Secrets only by reference: every value next to a *_env key is a variable's name.
        let references = try Regex(#""([a-z_]+_env)": "([^"]*)""#)
        let names = example.matches(of: references).map { String($0.output[2].substring!) }
        #expect(names.count >= 10)
        #expect(names.allSatisfy { $0.wholeMatch(of: /[A-Z][A-Z0-9_]*/) != nil })
        #expect(!example.contains("\"token\"") && !example.contains("\"secret\""))
        let compose = try Self.text("docker-compose.yml")
        let env = try Self.text(".env.example")
        for name in Set(names) {
            #expect(compose.contains("      \(name): ${\(name):-}"), "docker-compose.yml's poll service does not pass \(name)")
            #expect(env.contains("\n\(name)="), ".env.example does not list \(name)")
        }
        #expect(compose.contains(#"command: ["poll", "--accounts", "/etc/pipeline/accounts.json", "--state-dir", "/var/lib/pipeline/poll""#))
        #expect(compose.contains("./ops/pollers/accounts.example.json}:/etc/pipeline/accounts.json:ro"))
        #expect(compose.contains("- poll-state:/var/lib/pipeline/poll"))
    }
}
