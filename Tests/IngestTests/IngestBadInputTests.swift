import Crypto
import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Kafka
import Testing

/// Bad input against every producing route: a 4xx naming the field and the problem and nothing produced, or, for
/// strings that merely look dangerous, acceptance with the string carried unchanged.
@Suite struct IngestBadInputTests {
    /// One request and the answer it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPRequest.Method = .post
        var uri: String
        var headers: HTTPFields = [:]
        var body: [UInt8]? = nil
        var status: HTTPResponse.Status
        /// The exact `error` text of the answer.
        var error: String
        var testDescription: String { name }
    }

    static let deals = "/gc/school/deals?secret=\(IngestHarness.secret)"
    static let deal = String(decoding: Array(IngestSuccessPathTests.deal("dealPaid", status: "payed", isPayed: "true", ts64: 1_768_467_822, ts: "2026-01-15T09:03:42Z").utf8), as: UTF8.self)
    static let telegramHeaders = IngestSuccessPathTests.telegramHeaders
    static let message = IngestSuccessPathTests.telegramUpdate(chat: -100, type: "supergroup", messageID: 5, body: #""text":"hi""#)
    static let order = IngestRouterTests.orderQuery

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Unisender Go's signature over any body holding `"auth":"%AUTH%"`.
    static func unisenderSigned(_ template: String) -> [UInt8] {
        let md5 = IngestSuccessPathTests.hex(Insecure.MD5.hash(data: Array(template.replacingOccurrences(of: "%AUTH%", with: IngestHarness.unisenderKey).utf8)))
        return bytes(template.replacingOccurrences(of: "%AUTH%", with: md5))
    }

    static let cases: [Case] = [
        // GetCourse «Вызвать URL»: everything in the query string.
        Case(name: "callback: amount not a number", method: .get, uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order.replacingOccurrences(of: "cost_money_value=14900", with: "cost_money_value=14%2C900%2C00"),
             status: .badRequest, error: #"cost_money_value: must be a decimal number, got "14,900,00""#),
        Case(name: "callback: missing order id", method: .get, uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order.replacingOccurrences(of: "order_id=871035642&", with: ""),
             status: .badRequest, error: "order_id: missing (expected order_id or id)"),
        Case(name: "callback: date of the wrong form", method: .get, uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order.replacingOccurrences(of: "created_at=2026-01-15+09%3A00%3A00", with: "created_at=yesterday"),
             status: .badRequest, error: #"created_at: must be a date and time such as "2026-01-15 09:00:00" or "2026-01-15T09:00:00+03:00", got "yesterday""#),
        Case(name: "callback: unknown status", method: .get, uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order.replacingOccurrences(of: "status=payed", with: "status=%3Cb%3E"),
             status: .badRequest, error: #"status: must be a GetCourse deal status (cancelled, false, in_work, new, not_confirmed, part_payed, payed, payment_waiting, pending, waiting_for_return), got "<b>""#),
        Case(name: "callback: user id over 100 characters", method: .get,
             uri: "/gc/school/user?secret=\(IngestHarness.secret)&user_id=" + String(repeating: "9", count: 300),
             status: .badRequest, error: "user_id: must be at most 100 characters, got 300"),
        // Percent-encoded bytes that are not UTF-8 are refused by name, never kept as the raw text "%FF%FE%FD".
        Case(name: "callback: user id not UTF-8", method: .get,
             uri: "/gc/school/user?secret=\(IngestHarness.secret)&user_id=%FF%FE%FD&created_at=2026-01-15+09%3A00%3A00",
             status: .badRequest, error: "user_id: percent-encoded bytes are not UTF-8"),
        Case(name: "callback: order field not UTF-8", method: .get,
             uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order.replacingOccurrences(of: "email=a%40b.ru", with: "email=a%40b.ru%C0%AF"),
             status: .badRequest, error: "email: percent-encoded bytes are not UTF-8"),
        Case(name: "callback: a parameter name not UTF-8", method: .get,
             uri: "/gc/school/order?secret=\(IngestHarness.secret)&" + order + "&utm%FF=x",
             status: .badRequest, error: "utm%FF: percent-encoded bytes are not UTF-8"),
        Case(name: "callback: secret not UTF-8", method: .get, uri: "/gc/school/order?secret=%FF%FE&" + order,
             status: .forbidden, error: "secret does not match"),
        Case(name: "callback: no secret", method: .get, uri: "/gc/school/order?" + order, status: .unauthorized, error: "secret missing"),
        Case(name: "callback: wrong secret", method: .get, uri: "/gc/school/order?secret=\(IngestHarness.secret)x&" + order, status: .forbidden, error: "secret does not match"),
        Case(name: "callback: unknown project", method: .get, uri: "/gc/nobody/order?secret=x&" + order, status: .unauthorized, error: #"unknown project "nobody""#),
        Case(name: "callback: project name of the wrong form", method: .get, uri: "/gc/School_1/order?secret=x&" + order, status: .unauthorized, error: #"unknown project "School_1""#),

        // GetCourse deal webhooks: JSON.
        Case(name: "deals: malformed JSON", uri: deals, body: bytes(#"{"eventType":"getcourse/dealPaid","deal":{"#), status: .badRequest,
             error: "$: invalid JSON: unexpected end of input where an object member name was expected at byte 42"),
        Case(name: "deals: empty body", uri: deals, body: [], status: .badRequest, error: "$: invalid JSON: unexpected end of input at byte 0"),
        Case(name: "deals: a scalar body", uri: deals, body: bytes("42"), status: .badRequest, error: "$: must be an object, got number"),
        Case(name: "deals: cost of the wrong type", uri: deals, body: bytes(deal.replacingOccurrences(of: #""cost":14900"#, with: #""cost":[14900]"#)),
             status: .badRequest, error: "deal.cost: must be a number, got array"),
        Case(name: "deals: status of the wrong type", uri: deals, body: bytes(deal.replacingOccurrences(of: #""status":"payed""#, with: #""status":3"#)),
             status: .badRequest, error: "deal.status: must be a string, got number"),
        Case(name: "deals: missing deal", uri: deals, body: bytes(#"{"ts64":1768467822,"eventType":"getcourse/dealPaid","user":{"id":"1:2"}}"#),
             status: .badRequest, error: "deal: missing"),
        Case(name: "deals: repeated member", uri: deals, body: bytes(deal.replacingOccurrences(of: #""cost":14900"#, with: #""cost":14900,"cost":1"#)),
             status: .badRequest, error: #"$: invalid JSON: duplicate member "cost""#),
        Case(name: "deals: nesting 10 000 deep", uri: deals, body: bytes(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)),
             status: .badRequest, error: "$: invalid JSON: nesting deeper than 64 levels at byte 64"),
        Case(name: "deals: invalid UTF-8 in a string", uri: deals, body: bytes(#"{"eventType":"getcourse/deal"#) + [0xC3, 0x28] + bytes(#""}"#),
             status: .badRequest, error: "$: invalid JSON: invalid UTF-8 in a string at byte 13"),
        Case(name: "deals: body over the limit", uri: deals, body: [UInt8](repeating: 0x20, count: (1 << 20) + 1), status: .contentTooLarge,
             error: "body: larger than 1048576 bytes"),
        Case(name: "deals: NUL in an id", uri: deals, body: bytes(deal.replacingOccurrences(of: #""id":"871035642""#, with: #""id":"87\u0000""#)),
             status: .badRequest, error: "deal.id: must not contain the NUL character (U+0000)"),
        Case(name: "deals: a query parameter not UTF-8", uri: deals + "&user_id=%FF%FE%FD", body: bytes(deal), status: .badRequest,
             error: "user_id: percent-encoded bytes are not UTF-8"),
        Case(name: "deals: wrong secret", uri: "/gc/school/deals?secret=nope", body: bytes(deal), status: .forbidden, error: "secret does not match"),

        // Unisender Go.
        Case(name: "unisender: malformed JSON", uri: "/mail/school/unisender-go", body: bytes(#"{"auth":"#), status: .badRequest,
             error: "$: invalid JSON: unexpected end of input at byte 8"),
        Case(name: "unisender: missing auth", uri: "/mail/school/unisender-go", body: bytes(#"{"events_by_user":[]}"#), status: .forbidden, error: "auth: missing"),
        Case(name: "unisender: auth of the wrong type", uri: "/mail/school/unisender-go", body: bytes(#"{"auth":5,"events_by_user":[]}"#), status: .forbidden,
             error: "auth: must be a string, got number"),
        Case(name: "unisender: status of the wrong type, signed", uri: "/mail/school/unisender-go",
             body: unisenderSigned(#"{"auth":"%AUTH%","events_by_user":[{"events":[{"event_name":"transactional_email_status","event_data":{"status":true}}]}]}"#),
             status: .badRequest, error: "events_by_user[0].events[0].event_data.status: must be a string, got boolean"),
        Case(name: "unisender: events_by_user missing, signed", uri: "/mail/school/unisender-go", body: unisenderSigned(#"{"auth":"%AUTH%"}"#),
             status: .badRequest, error: "events_by_user: missing"),

        // SendGrid (the harness key has no private half: only refusals before or at the signature).
        Case(name: "sendgrid: no signature", uri: "/mail/school/sendgrid", body: bytes("[]"), status: .unauthorized,
             error: "X-Twilio-Email-Event-Webhook-Signature missing"),
        Case(name: "sendgrid: signature not base64 DER", uri: "/mail/school/sendgrid",
             headers: { var h = HTTPFields.header("X-Twilio-Email-Event-Webhook-Signature", "' OR 1=1 --"); h[.init("X-Twilio-Email-Event-Webhook-Timestamp")!] = "1"; return h }(),
             body: bytes("[]"), status: .forbidden, error: "X-Twilio-Email-Event-Webhook-Signature: must be a base64 DER ECDSA signature"),

        // Telegram.
        Case(name: "telegram: no token", uri: "/telegram/school", body: bytes(message), status: .unauthorized, error: "X-Telegram-Bot-Api-Secret-Token missing"),
        Case(name: "telegram: wrong token", uri: "/telegram/school", headers: .header("X-Telegram-Bot-Api-Secret-Token", "<script>"), body: bytes(message),
             status: .forbidden, error: "X-Telegram-Bot-Api-Secret-Token does not match"),
        Case(name: "telegram: malformed JSON", uri: "/telegram/school", headers: telegramHeaders, body: bytes("{\"update_id\":1,"), status: .badRequest,
             error: "$: invalid JSON: unexpected end of input where an object member name was expected at byte 15"),
        Case(name: "telegram: date of the wrong type", uri: "/telegram/school", headers: telegramHeaders,
             body: bytes(message.replacingOccurrences(of: #""date":1768467822"#, with: #""date":"yesterday""#)), status: .badRequest,
             error: #"message.date: must be Unix seconds, got "yesterday""#),
        Case(name: "telegram: chat missing", uri: "/telegram/school", headers: telegramHeaders,
             body: bytes(#"{"update_id":1,"message":{"message_id":1,"date":1768467822,"text":"x"}}"#), status: .badRequest, error: "message.chat: missing"),

        // Click tracker.
        Case(name: "click: javascript target", method: .get, uri: "/c/school/spring?url=javascript%3Aalert(1)", status: .badRequest,
             error: #"url: must be an absolute http or https URL, got "javascript:alert(1)""#),
        Case(name: "click: utm not UTF-8", method: .get, uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru%2F&utm_source=%FF%FE%FD",
             status: .badRequest, error: "utm_source: percent-encoded bytes are not UTF-8"),
        Case(name: "click: target not UTF-8", method: .get, uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru%2F%FF", status: .badRequest,
             error: "url: percent-encoded bytes are not UTF-8"),
        Case(name: "click: no target", method: .get, uri: "/c/school/spring", status: .badRequest, error: "url: missing"),
        Case(name: "click: look-alike host", method: .get, uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru.evil.com%2F", status: .badRequest,
             error: #"url: host "school.ru.evil.com" is not in the project's allowed domains, got "https://school.ru.evil.com/""#),
    ]

    @Test(arguments: cases)
    func isRefusedNamingTheFieldAndProducesNothing(_ testCase: Case) async throws {
        let harness = try IngestHarness()
        try await harness.test { client in
            try await client.execute(
                uri: testCase.uri, method: testCase.method, headers: testCase.headers, body: testCase.body.map { ByteBuffer(bytes: $0) }
            ) { response in
                #expect(response.status == testCase.status)
                #expect(response.headers[.contentType] == "application/json")
                let body = try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: String]
                #expect(body == ["error": testCase.error])
            }
        }
        #expect(try await harness.allMessages().isEmpty)
    }

    // MARK: Dangerous-looking strings are data

    static let hostile = [
        "1'; DROP TABLE bi.funnel_daily; --",
        "<script>alert(\"x\")</script>",
        "\" OR \"1\"=\"1",
        "Robert'); DELETE FROM pipeline.applied_events;--",
        "{{7*7}} ${jndi:ldap://x/a} %00",
    ]

    static func form(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    @Test func sqlAndScriptLookingStringsInEveryTextFieldAreCarriedUnchanged() async throws {
        let harness = try IngestHarness()
        let s = Self.hostile
        let userQuery = "user_id=\(Self.form(s[0]))&visitor_id=\(Self.form(s[1]))&funnel=\(Self.form(s[2]))&utm_source=\(Self.form(s[3]))"
            + "&utm_medium=\(Self.form(s[4]))&utm_campaign=\(Self.form(s[1]))&utm_content=\(Self.form(s[0]))&utm_term=\(Self.form(s[2]))"
            + "&email=a%40b.ru&created_at=2026-01-15+09%3A00%3A00"
        let orderQuery = "order_id=\(Self.form(s[3]))&user_id=\(Self.form(s[0]))&status=new&cost_money_value=10&product=\(Self.form(s[1]))"
            + "&manager_id=\(Self.form(s[4]))&created_at=2026-01-15+09%3A00%3A00"
            + "&positions=\(Self.form(s[2]))&manager_name=\(Self.form(s[3]))&tags=\(Self.form(s[0] + "," + s[4]))"
            + "&deal_utm_source=\(Self.form(s[1]))&deal_utm_content=\(Self.form(s[4]))"
        let clickQuery = "url=https%3A%2F%2Fschool.ru%2F%3Fq%3D%253Cscript%253E&utm_source=\(Self.form(s[0]))&utm_campaign=\(Self.form(s[1]))&yclid=\(Self.form(s[2]))"
        let telegram = #"{"update_id":7,"message":{"message_id":7,"from":{"id":"\#(s[3].replacingOccurrences(of: "\"", with: "\\\""))","is_bot":false},"chat":{"id":-100,"type":"supergroup"},"date":1768467822,"text":"\#(s[1].replacingOccurrences(of: "\"", with: "\\\""))"}}"#
        try await harness.test { client in
            try await client.execute(uri: "/gc/school/user?secret=\(IngestHarness.secret)&\(userQuery)", method: .get) { #expect($0.status == .ok, "\($0.text)") }
            try await client.execute(uri: "/gc/school/order?secret=\(IngestHarness.secret)&\(orderQuery)", method: .post) { #expect($0.status == .ok, "\($0.text)") }
            try await client.execute(uri: "/c/school/spring?\(clickQuery)", method: .get, headers: [.cookie: "vid=v1"]) { response in
                #expect(response.status == .found, "\(response.text)")
                #expect(response.headers[.location] == "https://school.ru/?q=%3Cscript%3E")
            }
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: telegram)) {
                #expect($0.status == .ok, "\($0.text)")
            }
        }
        let messages = try await harness.allMessages(atLeast: 4)
        func events(_ topic: String) throws -> [Event] { try (messages[topic] ?? []).map { try Event.decode(json: $0.value) } }
        let registration = try #require(try events("school.registrations").first)
        #expect(registration.data == .registration(Registration(
            userID: s[0], visitorID: s[1], funnel: s[2], utm: UTM(source: s[3], medium: s[4], campaign: s[1], content: s[0], term: s[2]),
            emailSHA256: IngestSuccessPathTests.hex(SHA256.hash(data: Array("\(IngestHarness.salt)a@b.ru".utf8))))))
        #expect(registration.id == "getcourse:user:\(s[0]):registration")
        let order = try #require(try events("school.orders").first)
        #expect(order.data == .order(Order(orderID: s[3], userID: s[0], status: .new, amount: 10, currency: "RUB", product: s[1], offer: s[2],
                                           managerID: s[4], managerName: s[3], tags: [s[0], s[4]], utm: UTM(source: s[1], content: s[4]),
                                           createdAt: Instant(rfc3339: "2026-01-15T06:00:00Z")!)))
        #expect(messages["school.orders"]?.first?.key.map { String(decoding: $0, as: UTF8.self) } == "school:\(s[3])")
        let click = try #require(try events("school.clicks").first)
        #expect(click.data == .click(Click(visitorID: "v1", url: "https://school.ru/?q=%3Cscript%3E", utm: UTM(source: s[0], campaign: s[1]), clickIDs: ["yclid": s[2]])))
        let chat = try #require(try events("school.chat").first)
        #expect(chat.data == .chat(Chat(chatID: "-100", messageID: "7", userID: "tg:" + s[3], kind: .message)))
    }

    // MARK: Replays

    @Test func aReplayedRequestOnEveryRouteGivesTheSameEventID() async throws {
        let privateKey = P256.Signing.PrivateKey()
        let harness = try IngestHarness(sendgridKey: privateKey.publicKey.derRepresentation.base64EncodedString())
        let sendgridBody = #"[{"email":"a@b.ru","timestamp":1768467822,"event":"open","sg_event_id":"b3Blbi0x","sg_message_id":"m1.filter","user_id":"u1"}]"#
        var signed = HTTPFields.header("X-Twilio-Email-Event-Webhook-Signature",
                                       try privateKey.signature(for: Data(("1768467830" + sendgridBody).utf8)).derRepresentation.base64EncodedString())
        signed[.init("X-Twilio-Email-Event-Webhook-Timestamp")!] = "1768467830"
        let sendgridHeaders = signed
        let unisender = Self.unisenderSigned(#"{"auth":"%AUTH%","events_by_user":[{"events":["# + IngestSuccessPathTests.unisenderItem(
            job: "j1", status: "opened", email: "a@b.ru", time: "2026-01-15 09:00:00", user: "u1", letter: "l1") + "]}]}")
        try await harness.test { client in
            for _ in 0..<2 {
                try await client.execute(uri: IngestRouterTests.orderURI, method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: Self.deals, method: .post, body: ByteBuffer(string: Self.deal)) { #expect($0.status == .ok) }
                try await client.execute(uri: "/mail/school/unisender-go", method: .post, body: ByteBuffer(bytes: unisender)) { #expect($0.status == .ok) }
                try await client.execute(uri: "/mail/school/sendgrid", method: .post, headers: sendgridHeaders, body: ByteBuffer(string: sendgridBody)) { #expect($0.status == .ok) }
                try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: Self.message)) { #expect($0.status == .ok) }
                try await client.execute(uri: "/c/school/spring?url=https%3A%2F%2Fschool.ru%2F&yclid=123", method: .get, headers: [.cookie: "vid=v1"]) {
                    #expect($0.status == .found)
                }
            }
        }
        let messages = try await harness.allMessages(atLeast: 12).values.flatMap { $0 }
        #expect(messages.count == 12)
        let ids = try messages.map { try Event.decode(json: $0.value).id }
        // Six facts, each delivered twice: six distinct ids, so the worker applies six events.
        #expect(Set(ids).count == 6)
        #expect(Dictionary(grouping: ids, by: { $0 }).values.allSatisfy { $0.count == 2 })
    }
}
