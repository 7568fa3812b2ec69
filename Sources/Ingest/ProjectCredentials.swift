import Foundation

/// One project's secrets and keys, read from `PIPELINE_PROJECT_<NAME>_*` by the executable.
public struct ProjectCredentials: Sendable {
    /// The `secret` query parameter of GetCourse callbacks and deal webhooks; nil refuses those routes.
    public var secret: String?
    /// Salt of personal-data hashes (`email_sha256`).
    public var salt: String
    /// The `X-Telegram-Bot-Api-Secret-Token` the bot was registered with; nil refuses Telegram updates.
    public var telegramSecret: String?
    /// Unisender Go API key, which signs its callbacks; nil refuses them.
    public var unisenderKey: String?
    /// SendGrid's base64 DER public verification key; nil refuses SendGrid events.
    public var sendgridKey: String?
    /// Signs the Telegram `/start` deep links (`pipeline identity link`); nil refuses every `/start` payload with a reply.
    public var linkSecret: String?
    /// Signs the learning webhook's bodies (`X-Signature-SHA256`); nil refuses that route.
    public var learningSecret: String?
    /// Domains (and their subdomains) the click tracker may redirect to; empty refuses every target.
    public var allowedHosts: [String]
    /// Zone of zone-less platform times. Default `Europe/Moscow`.
    public var timeZone: TimeZone

    public init(
        secret: String? = nil, salt: String, telegramSecret: String? = nil, unisenderKey: String? = nil,
        sendgridKey: String? = nil, linkSecret: String? = nil, learningSecret: String? = nil, allowedHosts: [String] = [], timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow")!
    ) {
        self.secret = secret
        self.salt = salt
        self.telegramSecret = telegramSecret
        self.unisenderKey = unisenderKey
        self.sendgridKey = sendgridKey
        self.linkSecret = linkSecret
        self.learningSecret = learningSecret
        self.allowedHosts = allowedHosts
        self.timeZone = timeZone
    }

    /// `school-kz` → `SCHOOL_KZ`; nil unless the name is lower-case ASCII letters, digits and `-`.
    ///
    /// Underscores and upper case are refused so that two path spellings can never share one project's
    /// credentials while producing events under different project names.
    public static func environmentName(of project: String) -> String? {
        guard !project.isEmpty, project.count <= 64,
              project.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else { return nil }
        // Bytes, not Foundation's uppercased/replacingOccurrences: this runs twice per request.
        return String(decoding: project.utf8.map { $0 == 0x2D ? 0x5F : $0 >= 0x61 ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}
