import Crypto
import Events
import Foundation

/// Verifies and normalizes SendGrid Event Webhook posts (a JSON array of events) into mail events.
///
/// Signature: SendGrid's signed webhook is ECDSA P-256 with SHA-256 over the timestamp header's bytes
/// followed by the raw body; the header carries a base64 DER signature and the key is the base64 DER public
/// key from SendGrid's settings. Freshness of the timestamp is the caller's check (it has the clock).
///
/// Event mapping: processed→sent, delivered, open→opened, click→clicked, unsubscribe and
/// group_unsubscribe→unsubscribed, bounce and dropped→bounced, spamreport→spam; deferred and
/// group_resubscribe give no event. The id is `sendgrid:<sg_event_id>` (SendGrid's own dedupe key).
/// Custom args arrive as top-level members: `user_id` is required there (an address is personal data);
/// `letter_id` is the `letter_id` custom arg, else `marketing_campaign_id`, else `singlesend_id`, else the
/// message part of `sg_message_id` (before the first dot).
public struct SendGridEventWebhook: Sendable {
    public static let source = "sendgrid"

    static let events: [String: MailEvent?] = [
        "processed": .sent, "delivered": .delivered, "open": .opened, "click": .clicked,
        "unsubscribe": .unsubscribed, "group_unsubscribe": .unsubscribed, "bounce": .bounced, "dropped": .bounced,
        "spamreport": .spam, "deferred": nil, "group_resubscribe": nil,
    ]

    public let context: ProjectContext
    /// Kept as bytes because Crypto's key type is not `Sendable`; rebuilding it per request is cheap.
    private let publicKeyDER: Data

    /// - Parameter verificationKey: the base64 DER (SubjectPublicKeyInfo) key SendGrid shows for the signed webhook.
    public init(context: ProjectContext, verificationKey: String) throws(NormalizationError) {
        guard let der = Data(base64Encoded: verificationKey.trimmingCharacters(in: .whitespacesAndNewlines)),
              (try? P256.Signing.PublicKey(derRepresentation: der)) != nil
        else {
            throw NormalizationError(field: "verificationKey", problem: "must be a base64 DER P-256 public key")
        }
        self.context = context
        self.publicKeyDER = der
    }

    /// - Parameters:
    ///   - signature: the `X-Twilio-Email-Event-Webhook-Signature` header.
    ///   - timestamp: the `X-Twilio-Email-Event-Webhook-Timestamp` header.
    public func normalize(body: [UInt8], signature: String, timestamp: String) throws(NormalizationError) -> [Event] {
        let signatureField = "X-Twilio-Email-Event-Webhook-Signature"
        guard let der = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)),
              let parsed = try? P256.Signing.ECDSASignature(derRepresentation: der)
        else {
            throw NormalizationError(field: signatureField, problem: "must be a base64 DER ECDSA signature")
        }
        // Safe: the same bytes parsed in init.
        let publicKey = try! P256.Signing.PublicKey(derRepresentation: publicKeyDER)
        guard publicKey.isValidSignature(parsed, for: Data(timestamp.utf8) + Data(body)) else {
            throw NormalizationError(field: signatureField, problem: "does not verify for this timestamp and body")
        }
        var result: [Event] = []
        for item in try JSONReader(parsing: body).elements() {
            if let event = try mailEvent(item) { result.append(event) }
        }
        return result
    }

    private func mailEvent(_ item: JSONReader) throws(NormalizationError) -> Event? {
        let nameField = try item.required("event")
        let name = try nameField.string()
        guard let mapped = Self.events[name] else {
            let known = Self.events.keys.sorted().joined(separator: ", ")
            throw NormalizationError(field: nameField.path, problem: "must be one of \(known), got \(quoted(name))")
        }
        guard let mailEvent = mapped else { return nil }
        let eventIDField = try item.required("sg_event_id")
        let eventID = try IdentifierLimit.checked(try eventIDField.nonEmptyString(), field: eventIDField.path)
        let occurredAt = try TimeParsing.instant(unixSeconds: item.required("timestamp").value, field: item.childPath("timestamp"))
        guard let userField = try item.optional("user_id") else {
            throw NormalizationError(field: item.childPath("user_id"), problem: "missing: messages must carry the school's user id as a custom arg")
        }
        let mail = Mail(letterID: try letterID(item), channel: "email", userID: try userField.identifier(), event: mailEvent)
        return try EventChecking.checked(Event(
            id: "sendgrid:\(eventID)", project: context.project, source: Self.source, occurredAt: occurredAt, data: .mail(mail)))
    }

    private func letterID(_ item: JSONReader) throws(NormalizationError) -> String {
        for key in ["letter_id", "marketing_campaign_id", "singlesend_id"] {
            if let field = try item.optional(key) { return try field.identifier() }
        }
        if let message = try item.optional("sg_message_id") {
            let text = try message.nonEmptyString()
            return String(text.prefix { $0 != "." })
        }
        throw NormalizationError(field: item.childPath("letter_id"), problem: "missing (expected letter_id, marketing_campaign_id, singlesend_id or sg_message_id)")
    }
}
