import Crypto
import Events
import Foundation

/// Verifies and normalizes Unisender Go (UniOne) status callbacks: one mail event per `transactional_email_status` item.
///
/// Signature (INPUTS.md §6.2): `auth` is the MD5 of the raw body in which the `auth` value is replaced by
/// the API key. The raw body is used, not a re-serialisation, because any re-encoding (spacing, escapes)
/// changes the hash. Other event kinds (`transactional_spam_block`) and the `subscribed` status give no events.
///
/// Status mapping: sent, delivered, opened, clicked, unsubscribed, spam as themselves; soft_bounced and
/// hard_bounced → bounced. `letter_id` is `metadata.letter_id`, else `metadata.campaign_id`, else `job_id`;
/// `user_id` must be in `metadata.user_id` (an address is personal data and may change, so it cannot stand in).
/// There is no event id: the id is `unisender_go:<job_id>:<status>:<h>` with `h` a salted hash of
/// (email, event_time, url), the source's documented key, without the address in clear text.
/// `event_time` has no zone and is read as UTC, as Unisender Go sends it.
public struct UnisenderGoWebhook: Sendable {
    public static let source = "unisender_go"

    static let statuses: [String: MailEvent?] = [
        "sent": .sent, "delivered": .delivered, "opened": .opened, "clicked": .clicked,
        "unsubscribed": .unsubscribed, "spam": .spam, "soft_bounced": .bounced, "hard_bounced": .bounced,
        "subscribed": nil,
    ]

    public let context: ProjectContext
    private let apiKey: String

    public init(context: ProjectContext, apiKey: String) {
        self.context = context
        self.apiKey = apiKey
    }

    public func normalize(body: [UInt8]) throws(NormalizationError) -> [Event] {
        let root = try JSONReader(parsing: body)
        let auth = try root.required("auth")
        try verify(body: body, auth: try auth.string())
        var events: [Event] = []
        for user in try root.required("events_by_user").elements() {
            for item in try user.required("events").elements() {
                guard try item.required("event_name").string() == "transactional_email_status" else { continue }
                if let event = try mailEvent(item.required("event_data")) { events.append(event) }
            }
        }
        return events
    }

    private func verify(body: [UInt8], auth: String) throws(NormalizationError) {
        guard let range = Self.authValueRange(in: body, value: auth) else {
            throw NormalizationError(field: "auth", problem: "must be a string member of the body")
        }
        var signed = Array(body[..<range.lowerBound])
        signed += Array(apiKey.utf8)
        signed += Array(body[range.upperBound...])
        let expected = Digests.hex(Insecure.MD5.hash(data: signed))
        guard Digests.timingSafeEqual(Array(expected.utf8), Array(auth.lowercased().utf8)) else {
            throw NormalizationError(field: "auth", problem: "does not match the body signed with the API key")
        }
    }

    /// The byte range of the string value of the first `"auth": "<value>"` member whose value is `value`.
    static func authValueRange(in body: [UInt8], value: String) -> Range<Int>? {
        let key = Array("\"auth\"".utf8)
        let valueBytes = Array(value.utf8)
        var start = 0
        while start + key.count <= body.count {
            guard let found = (start...(body.count - key.count)).first(where: { body[$0..<$0 + key.count].elementsEqual(key) }) else { return nil }
            var index = found + key.count
            func skipSpace() { while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 } }
            skipSpace()
            if index < body.count, body[index] == UInt8(ascii: ":") {
                index += 1
                skipSpace()
                if index < body.count, body[index] == UInt8(ascii: "\"") {
                    let valueStart = index + 1
                    let valueEnd = valueStart + valueBytes.count
                    if valueEnd < body.count, body[valueStart..<valueEnd].elementsEqual(valueBytes), body[valueEnd] == UInt8(ascii: "\"") {
                        return valueStart..<valueEnd
                    }
                }
            }
            start = found + 1
        }
        return nil
    }

    private func mailEvent(_ data: JSONReader) throws(NormalizationError) -> Event? {
        let statusField = try data.required("status")
        let status = try statusField.string()
        guard let mapped = Self.statuses[status] else {
            let known = Self.statuses.keys.sorted().joined(separator: ", ")
            throw NormalizationError(field: statusField.path, problem: "must be one of \(known), got \(quoted(status))")
        }
        guard let mailEvent = mapped else { return nil }
        let jobID = try data.required("job_id").identifier()
        let metadata = try data.optional("metadata")
        guard let userField = try metadata?.optional("user_id") else {
            throw NormalizationError(field: data.childPath("metadata.user_id"), problem: "missing: letters must carry the school's user id in metadata")
        }
        let userID = try userField.identifier()
        var letterID = jobID
        if let metadata {
            if let field = try metadata.optional("letter_id") {
                letterID = try field.identifier()
            } else if let field = try metadata.optional("campaign_id") {
                letterID = try field.identifier()
            }
        }
        let timeField = try data.required("event_time")
        let eventTime = try timeField.string()
        let occurredAt = try TimeParsing.instant(eventTime, field: timeField.path, timeZone: TimeZone(identifier: "UTC")!)
        let email = try data.optional("email")?.string() ?? ""
        let url = try data.optional("url")?.string() ?? ""
        let key = Digests.sha256Hex(context.salt + "\n" + email.trimmingCharacters(in: .whitespaces).lowercased() + "\n" + eventTime + "\n" + url)
        let mail = Mail(letterID: letterID, channel: "email", userID: userID, event: mailEvent)
        return try EventChecking.checked(Event(
            id: "unisender_go:\(jobID):\(status):\(key.prefix(16))", project: context.project, source: Self.source,
            occurredAt: occurredAt, data: .mail(mail)))
    }
}
