import Events
import Testing
@testable import Normalizers

/// The `/start` token: its bytes, its 64-character bound, and every way a wrong one is refused.
@Suite struct TelegramDeepLinkTests {
    static let newYear = Instant(rfc3339: "2027-01-01T00:00:00Z")!  // 1798761600 s
    static let before = Instant(rfc3339: "2026-12-31T23:59:59Z")!

    /// Computed outside Swift, from the layout in the type's documentation:
    /// body = 01 | 6B36EC80 (1798761600) | "123456789"; tag = first 10 bytes of
    /// HMAC-SHA256("link-secret", "demo-school" 00 body); base64url without padding.
    @Test func knownToken() throws {
        let token = TelegramDeepLinkToken(userID: "123456789", expiresAt: Self.newYear)
        #expect(try token.encoded(project: "demo-school", secret: "link-secret") == "AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC")
        let read = try TelegramDeepLinkToken.verify("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC", project: "demo-school", secret: "link-secret", now: Self.before)
        #expect(read == token)
    }

    /// 48 bytes are 64 base64 characters: a 33-byte user id is the longest that fits Telegram's limit.
    @Test func longestUserIDFillsSixtyFourCharacters() throws {
        let longest = TelegramDeepLinkToken(userID: String(repeating: "u", count: 33), expiresAt: Self.newYear)
        let payload = try longest.encoded(project: "demo-school", secret: "link-secret")
        #expect(payload == "AWs27IB1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXXYsAYmeyi_gSk4")
        #expect(payload.count == 64)
        #expect(try TelegramDeepLinkToken.verify(payload, project: "demo-school", secret: "link-secret", now: Self.before) == longest)
        let tooLong = TelegramDeepLinkToken(userID: String(repeating: "u", count: 34), expiresAt: Self.newYear)
        #expect(throws: NormalizationError.deepLink(.invalidUserID("user id has 34 bytes; a Telegram start link holds at most 33"))) {
            try tooLong.encoded(project: "demo-school", secret: "link-secret")
        }
        #expect(throws: NormalizationError.deepLink(.invalidUserID("user id is empty"))) {
            try TelegramDeepLinkToken(userID: "", expiresAt: Self.newYear).encoded(project: "demo-school", secret: "link-secret")
        }
    }

    @Test func expiredAtTheInstantItself() {
        #expect(throws: NormalizationError.deepLink(.expired)) {
            try TelegramDeepLinkToken.verify("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC", project: "demo-school", secret: "link-secret", now: Self.newYear)
        }
    }

    @Test func anotherProjectOrSecretIsRefused() {
        #expect(throws: NormalizationError.deepLink(.forged)) {
            try TelegramDeepLinkToken.verify("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC", project: "school-kz", secret: "link-secret", now: Self.before)
        }
        #expect(throws: NormalizationError.deepLink(.forged)) {
            try TelegramDeepLinkToken.verify("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC", project: "demo-school", secret: "link-secret2", now: Self.before)
        }
    }

    /// Changing any single character of the payload either breaks its form or its signature.
    @Test func everyAlteredCharacterIsRefused() {
        let payload = Array("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC")
        for index in payload.indices {
            var altered = payload
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(throws: NormalizationError.self) {
                try TelegramDeepLinkToken.verify(String(altered), project: "demo-school", secret: "link-secret", now: Self.before)
            }
        }
    }

    @Test func malformedPayloads() {
        for payload in ["", "abc", "AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC=", "AWs27IAx+jM0NTY3ODkxzOAu23pfw8cC", String(repeating: "A", count: 65)] {
            #expect(throws: NormalizationError.deepLink(.malformed), "\(payload)") {
                try TelegramDeepLinkToken.verify(payload, project: "demo-school", secret: "link-secret", now: Self.before)
            }
        }
        #expect(throws: NormalizationError.deepLink(.missingSecret)) {
            try TelegramDeepLinkToken.verify("AWs27IAxMjM0NTY3ODkxzOAu23pfw8cC", project: "demo-school", secret: "", now: Self.before)
        }
    }
}
