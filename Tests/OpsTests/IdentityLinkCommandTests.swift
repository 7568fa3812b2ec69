import Events
import Foundation
import Normalizers
import Testing

/// `pipeline identity link`, run as the school's staff would: the printed link's token verifies for
/// the project and the user, and missing or wrong settings are named.
@Suite struct IdentityLinkCommandTests {
    static let environment = ["PIPELINE_PROJECT_DEMO_SCHOOL_LINK_SECRET": "link-secret", "PIPELINE_TELEGRAM_BOT_USERNAME": "demo_school_bot"]

    @Test func printsAVerifiableLink() throws {
        let output = try PipelineProcess.run(["identity", "link", "--project", "demo-school", "--user", "123456789", "--valid-days", "2"],
                                             environment: Self.environment)
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "https://t.me/demo_school_bot?start="
        #expect(line.hasPrefix(prefix), "\(output)")
        let payload = String(line.dropFirst(prefix.count))
        #expect(payload.count <= 64)
        let now = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let token = try TelegramDeepLinkToken.verify(payload, project: "demo-school", secret: "link-secret", now: now)
        #expect(token.userID == "123456789")
        // Two days from now, give or take the test's own run time.
        let expected = now.advanced(byMicroseconds: 2 * 86_400 * 1_000_000)
        #expect(abs(token.expiresAt.microseconds(to: expected)) < 120 * 1_000_000)
        // A day later than its expiry it is refused.
        #expect(throws: NormalizationError.deepLink(.expired)) {
            try TelegramDeepLinkToken.verify(payload, project: "demo-school", secret: "link-secret", now: expected.advanced(byMicroseconds: 86_400 * 1_000_000))
        }
    }

    @Test func namesWhatIsMissing() throws {
        do {
            try PipelineProcess.run(["identity", "link", "--project", "demo-school", "--user", "1"], environment: [:])
            Issue.record("a link was made without the project's link secret")
        } catch {
            #expect("\(error)".contains("PIPELINE_PROJECT_DEMO_SCHOOL_LINK_SECRET: missing"), "\(error)")
        }
        do {
            try PipelineProcess.run(["identity", "link", "--project", "demo-school", "--user", String(repeating: "9", count: 34)], environment: Self.environment)
            Issue.record("a 34-byte user id was accepted")
        } catch {
            #expect("\(error)".contains("--user: user id has 34 bytes"), "\(error)")
        }
        do {
            try PipelineProcess.run(["identity", "link", "--project", "demo-school", "--user", "1", "--bot", "@bot"], environment: Self.environment)
            Issue.record("a bot name with @ was accepted")
        } catch {
            #expect("\(error)".contains("--bot: a Telegram username"), "\(error)")
        }
    }
}
