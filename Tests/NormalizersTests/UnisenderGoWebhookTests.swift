import Crypto
import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct UnisenderGoWebhookTests {
    static let apiKey = "6gq7b4rgx3w7pd6jx1m3y3gwjx3h8bja"
    let webhook = UnisenderGoWebhook(context: Fixtures.context, apiKey: Self.apiKey)

    static func item(status: String, metadata: String = #"{"user_id":"512478330","letter_id":"welcome-3"}"#, url: String = "http://some.url.com", time: String = "2015-11-30 15:09:42") -> String {
        """
        {"event_name":"transactional_email_status",
            "event_data":{"job_id":"1a3Q2V-0000OZ-S0","metadata":\(metadata),"email":"recipient@example.com",
              "status":"\(status)","event_time":"\(time)","url":"\(url)",
              "delivery_info":{"delivery_status":"err_delivery_failed","destination_response":"550 Spam rejected",
                               "user_agent":"Mozilla/5.0","ip":"111.111.111.111"}}}
        """
    }

    static let spamBlock = #"{"event_name":"transactional_spam_block","event_data":{"block_time":"2015-11-30 15:09:42","block_type":"one_smtp","domain":"example.com","SMTP_blocks_count":8,"domain_status":"blocked"}}"#

    /// INPUTS.md §6.2's envelope, signed as Unisender Go signs it: MD5 of the body with the API key in the `auth` value.
    static func signed(_ items: [String], key: String = apiKey) -> [UInt8] {
        let template = """
        {"auth":"%AUTH%","events_by_user":[{"user_id":456,"project_id":"6432890213745872","project_name":"MyProject",
          "events":[\(items.joined(separator: ",\n"))]}]}
        """
        let withKey = template.replacingOccurrences(of: "%AUTH%", with: key)
        let md5 = Insecure.MD5.hash(data: Array(withKey.utf8)).map { String(format: "%02x", $0) }.joined()
        return Array(template.replacingOccurrences(of: "%AUTH%", with: md5).utf8)
    }

    @Test(arguments: [
        ("sent", MailEvent.sent), ("delivered", .delivered), ("opened", .opened), ("clicked", .clicked),
        ("unsubscribed", .unsubscribed), ("spam", .spam), ("soft_bounced", .bounced), ("hard_bounced", .bounced),
    ])
    func statuses(_ status: String, _ expected: MailEvent) throws {
        let events = try webhook.normalize(body: Self.signed([Self.item(status: status), Self.spamBlock]))
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.source == "unisender_go")
        #expect(event.id.hasPrefix("unisender_go:1a3Q2V-0000OZ-S0:\(status):"))
        #expect(event.occurredAt == Fixtures.instant("2015-11-30T15:09:42Z"))
        #expect(event.data == .mail(Mail(letterID: "welcome-3", channel: "email", userID: "512478330", event: expected)))
        #expect(!String(decoding: event.encodeJSON(), as: UTF8.self).contains("recipient@example.com"))
    }

    @Test func batchGivesOneEventPerItemAndRetriesGiveTheSameIDs() throws {
        let body = Self.signed([Self.item(status: "clicked", url: "https://school.ru/a"), Self.item(status: "clicked", url: "https://school.ru/b"),
                                Self.item(status: "subscribed")])
        let events = try webhook.normalize(body: body)
        #expect(events.count == 2)
        #expect(Set(events.map(\.id)).count == 2, "two clicks on different links are two facts")
        #expect(try webhook.normalize(body: body) == events)
    }

    @Test(arguments: [
        (#"{"user_id":77,"campaign_id":"c-9"}"#, "77", "c-9"),
        (#"{"user_id":"77"}"#, "77", "1a3Q2V-0000OZ-S0"),
    ])
    func letterAndUserFromMetadata(_ metadata: String, _ user: String, _ letter: String) throws {
        let event = try #require(try webhook.normalize(body: Self.signed([Self.item(status: "opened", metadata: metadata)])).first)
        #expect(event.data == .mail(Mail(letterID: letter, channel: "email", userID: user, event: .opened)))
    }

    @Test(arguments: [
        (item(status: "opened", metadata: #"{"key1":"val1"}"#), "events_by_user[0].events[0].event_data.metadata.user_id: missing: letters must carry the school's user id in metadata"),
        (item(status: "read"), "events_by_user[0].events[0].event_data.status: must be one of clicked, delivered, hard_bounced, opened, sent, soft_bounced, spam, subscribed, unsubscribed, got \"read\""),
        (item(status: "sent", time: "yesterday"), "events_by_user[0].events[0].event_data.event_time: must be a date and time such as \"2026-01-15 09:00:00\" or \"2026-01-15T09:00:00+03:00\", got \"yesterday\""),
    ])
    func itemErrors(_ item: String, _ message: String) {
        do {
            _ = try webhook.normalize(body: Self.signed([item]))
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func wrongKeyOrTamperedBodyIsRejected() {
        let wrong = NormalizationError(field: "auth", problem: "does not match the body signed with the API key")
        #expect(throws: wrong) { try webhook.normalize(body: Self.signed([Self.item(status: "sent")], key: "other-key")) }
        var tampered = String(decoding: Self.signed([Self.item(status: "sent")]), as: UTF8.self)
        tampered = tampered.replacingOccurrences(of: "512478330", with: "512478331")
        #expect(throws: wrong) { try webhook.normalize(body: Array(tampered.utf8)) }
        #expect(throws: NormalizationError(field: "auth", problem: "missing")) { try webhook.normalize(body: Array(#"{"events_by_user":[]}"#.utf8)) }
    }

    @Test func signatureOverASpacedBodyUsesTheRawBytes() throws {
        let template = "{ \"auth\" :  \"%AUTH%\" , \"events_by_user\" : [ { \"events\" : [ \(Self.item(status: "delivered")) ] } ] }"
        let md5 = Insecure.MD5.hash(data: Array(template.replacingOccurrences(of: "%AUTH%", with: Self.apiKey).utf8)).map { String(format: "%02x", $0) }.joined()
        let events = try webhook.normalize(body: Array(template.replacingOccurrences(of: "%AUTH%", with: md5).utf8))
        #expect(events.count == 1)
    }
}
