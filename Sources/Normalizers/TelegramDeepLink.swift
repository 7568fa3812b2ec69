import Crypto
import Events
import Foundation

/// The signed `/start` payload that links a Telegram member to a platform user (SPEC §4.12).
///
/// Telegram passes at most 64 characters of `A–Z a–z 0–9 _ -` from `t.me/<bot>?start=<payload>` to
/// the bot, so the token is base64url without padding over at most 48 bytes:
///
///     version (1) | expiry, Unix seconds, big-endian (4) | user id, UTF-8 (≤ 33) | HMAC tag (10)
///
/// The tag is HMAC-SHA256 under the project's own link secret over the project name and every byte
/// before it, cut to 80 bits: a guess has one chance in 2⁸⁰, and Telegram delivers a guess only as a
/// message to the bot, so guessing is no attack. The project name inside the MAC refuses a token
/// made for another project even where two projects were given the same secret.
public struct TelegramDeepLinkToken: Sendable, Hashable {
    /// The platform user the token links to.
    public var userID: String
    /// The instant after which the bot refuses the token.
    public var expiresAt: Instant

    /// Telegram's limit on the `start` parameter.
    public static let maximumLength = 64
    /// The longest user id that fits: 48 bytes less version, expiry and tag.
    public static let maximumUserIDBytes = 48 - 1 - 4 - tagLength
    static let version: UInt8 = 1
    static let tagLength = 10

    public init(userID: String, expiresAt: Instant) {
        self.userID = userID
        self.expiresAt = expiresAt
    }

    /// The `start` payload for `project`, signed with its link secret.
    public func encoded(project: String, secret: String) throws(NormalizationError) -> String {
        let user = Array(userID.utf8)
        guard !user.isEmpty else { throw .deepLink(.invalidUserID("user id is empty")) }
        guard user.count <= Self.maximumUserIDBytes else {
            throw .deepLink(.invalidUserID("user id has \(user.count) bytes; a Telegram start link holds at most \(Self.maximumUserIDBytes)"))
        }
        guard !secret.isEmpty else { throw .deepLink(.missingSecret) }
        let seconds = expiresAt.microsecondsSinceEpoch / 1_000_000
        guard seconds > 0, seconds <= Int64(UInt32.max) else { throw .deepLink(.invalidExpiry) }
        var body: [UInt8] = [Self.version]
        let expiry = UInt32(seconds)
        body += [UInt8(expiry >> 24), UInt8(truncatingIfNeeded: expiry >> 16), UInt8(truncatingIfNeeded: expiry >> 8), UInt8(truncatingIfNeeded: expiry)]
        body += user
        body += Self.tag(body, project: project, secret: secret)
        return Base64URL.encode(body)
    }

    /// The token `payload` carries, when it was made for `project` with `secret` and is still valid at `now`.
    public static func verify(_ payload: String, project: String, secret: String, now: Instant) throws(NormalizationError) -> TelegramDeepLinkToken {
        guard !secret.isEmpty else { throw .deepLink(.missingSecret) }
        guard payload.utf8.count <= maximumLength, let bytes = Base64URL.decode(payload),
              bytes.count > 1 + 4 + tagLength else { throw .deepLink(.malformed) }
        guard bytes[0] == version else { throw .deepLink(.malformed) }
        let body = Array(bytes[..<(bytes.count - tagLength)])
        let given = bytes[(bytes.count - tagLength)...]
        let expected = tag(body, project: project, secret: secret)
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        guard difference == 0 else { throw .deepLink(.forged) }
        let seconds = body[1...4].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        let expiresAt = Instant(microsecondsSinceEpoch: seconds * 1_000_000)
        guard now < expiresAt else { throw .deepLink(.expired) }
        guard let userID = String(validating: body[5...], as: UTF8.self) else { throw .deepLink(.malformed) }
        return TelegramDeepLinkToken(userID: userID, expiresAt: expiresAt)
    }

    static func tag(_ body: [UInt8], project: String, secret: String) -> [UInt8] {
        var message = Array(project.utf8)
        message.append(0)  // the name ends before the body, so no two (project, body) pairs sign alike
        message += body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return Array(Array(code).prefix(tagLength))
    }
}

extension NormalizationError {
    /// Why a deep-link token could not be made or was refused (thrown as `NormalizationError.deepLink(_:)`); the bot
    /// answers the member with `description`.
    public enum DeepLink: Sendable, Hashable, CustomStringConvertible {
        case invalidUserID(String)
        case invalidExpiry
        case missingSecret
        case malformed
        case forged
        case expired

        /// The input the refusal is about: the user id or expiry given to make a link, or the start payload.
        public var field: String {
            switch self {
            case .invalidUserID: "user"
            case .invalidExpiry: "expiry"
            case .missingSecret, .malformed, .forged, .expired: "start"
            }
        }

        /// The refusal without its field; the secret's absence is the school's problem, not the payload's.
        public var problem: String {
            switch self {
            case .invalidUserID(let reason): reason
            case .invalidExpiry: "must fall between 1970 and 2106"
            case .missingSecret: "the project has no link secret configured"
            case .malformed: "not a link of this school"
            case .forged: "the link's signature does not match this school"
            case .expired: "the link has expired; ask the school for a new one"
            }
        }

        public var description: String {
            switch self {
            case .missingSecret: problem
            default: "\(field): \(problem)"
            }
        }
    }
}

/// Base64 with the URL alphabet and no padding: the characters Telegram allows in a start parameter.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard standard.utf8.count % 4 != 1 else { return nil }
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
