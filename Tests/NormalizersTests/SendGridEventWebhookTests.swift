import Crypto
import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct SendGridEventWebhookTests {
    let privateKey = P256.Signing.PrivateKey()
    var webhook: SendGridEventWebhook {
        get throws { try SendGridEventWebhook(context: Fixtures.context, verificationKey: privateKey.publicKey.derRepresentation.base64EncodedString()) }
    }
    static let timestamp = "1768467822"

    func sign(_ body: String, timestamp: String = Self.timestamp) throws -> String {
        try privateKey.signature(for: Data((timestamp + body).utf8)).derRepresentation.base64EncodedString()
    }

    static func event(_ name: String, id: String = "ZGVsaXZlcmVkLTAtNDY", extra: String = #","user_id":"512478330","letter_id":"promo-7""#) -> String {
        #"{"email":"example@test.com","timestamp":1768467822,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"\#(name)","category":["cat facts"],"sg_event_id":"\#(id)","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"\#(extra)}"#
    }

    @Test(arguments: [
        ("processed", MailEvent.sent), ("delivered", .delivered), ("open", .opened), ("click", .clicked),
        ("unsubscribe", .unsubscribed), ("group_unsubscribe", .unsubscribed), ("bounce", .bounced), ("dropped", .bounced),
        ("spamreport", .spam),
    ])
    func events(_ name: String, _ expected: MailEvent) throws {
        let body = "[" + Self.event(name) + "," + Self.event("deferred", id: "ZGVmZXJyZWQ") + "]"
        let events = try webhook.normalize(body: Array(body.utf8), signature: sign(body), timestamp: Self.timestamp)
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.id == "sendgrid:ZGVsaXZlcmVkLTAtNDY")
        #expect(event.source == "sendgrid")
        #expect(event.occurredAt == Instant(microsecondsSinceEpoch: 1_768_467_822_000_000))
        #expect(event.data == .mail(Mail(letterID: "promo-7", channel: "email", userID: "512478330", event: expected)))
        #expect(!String(decoding: event.encodeJSON(), as: UTF8.self).contains("example@test.com"))
    }

    @Test(arguments: [
        (#","user_id":42,"marketing_campaign_id":12345"#, "12345", "42"),
        (#","user_id":"u1","singlesend_id":"ss-1""#, "ss-1", "u1"),
        (#","user_id":"u1""#, "14c5d75ce93", "u1"),
    ])
    func letterIDFallbacks(_ extra: String, _ letter: String, _ user: String) throws {
        let body = "[" + Self.event("open", extra: extra) + "]"
        let event = try #require(try webhook.normalize(body: Array(body.utf8), signature: sign(body), timestamp: Self.timestamp).first)
        #expect(event.data == .mail(Mail(letterID: letter, channel: "email", userID: user, event: .opened)))
    }

    @Test(arguments: [
        (event("open", extra: ""), "[0].user_id: missing: messages must carry the school's user id as a custom arg"),
        (event("opened"), "[0].event: must be one of bounce, click, deferred, delivered, dropped, group_resubscribe, group_unsubscribe, open, processed, spamreport, unsubscribe, got \"opened\""),
        (#"{"event":"open","sg_event_id":"x","timestamp":"soon","user_id":"1"}"#, "[0].timestamp: must be Unix seconds, got \"soon\""),
    ])
    func itemErrors(_ item: String, _ message: String) throws {
        let body = "[" + item + "]"
        let (webhook, signature) = (try webhook, try sign(body))
        do {
            _ = try webhook.normalize(body: Array(body.utf8), signature: signature, timestamp: Self.timestamp)
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description.hasSuffix(message))
        }
    }

    @Test func forgedOrReplayedBodiesAreRejected() throws {
        let body = "[" + Self.event("delivered") + "]"
        let signature = try sign(body)
        let failed = NormalizationError(field: "X-Twilio-Email-Event-Webhook-Signature", problem: "does not verify for this timestamp and body")
        #expect(throws: failed) { try webhook.normalize(body: Array(body.replacingOccurrences(of: "512478330", with: "1").utf8), signature: signature, timestamp: Self.timestamp) }
        #expect(throws: failed) { try webhook.normalize(body: Array(body.utf8), signature: signature, timestamp: "1768467823") }
        let otherKey = try SendGridEventWebhook(context: Fixtures.context, verificationKey: P256.Signing.PrivateKey().publicKey.derRepresentation.base64EncodedString())
        #expect(throws: failed) { try otherKey.normalize(body: Array(body.utf8), signature: signature, timestamp: Self.timestamp) }
        #expect(throws: NormalizationError(field: "X-Twilio-Email-Event-Webhook-Signature", problem: "must be a base64 DER ECDSA signature")) {
            try webhook.normalize(body: Array(body.utf8), signature: "not base64!", timestamp: Self.timestamp)
        }
        #expect(throws: NormalizationError.self) { try SendGridEventWebhook(context: Fixtures.context, verificationKey: "AAAA") }
    }
}
