import Testing
import Events

/// The decoder's fast path reads the usual shapes itself and leaves the rest to the full decoder,
/// which then decodes them as before (the fuzz tests compare the two paths on every input).
@Suite struct EventScannerTests {
    static let mail = #"{"id":"m1","type":"mail","project":"p","source":"unisender","occurred_at":"2026-01-15T09:03:42+03:00","data":{"letter_id":"L1","channel":"email","user_id":"u1","event":"opened"}}"#
    static let mailEvent = Event(
        id: "m1", project: "p", source: "unisender", occurredAt: Instant(rfc3339: "2026-01-15T06:03:42Z")!,
        occurredAtText: "2026-01-15T09:03:42+03:00", data: .mail(Mail(letterID: "L1", channel: "email", userID: "u1", event: .opened))
    )

    @Test func readsTheUsualShapeAndItsVariants() throws {
        let spaced = " {\n \"data\" : {\"letter_id\":\"L1\",\"channel\":\"email\",\"user_id\":\"u1\",\"event\":\"opened\"}}"
        let variants = [
            Self.mail,
            // Whitespace between every token, members in another order (type still before data).
            #"{ "type" : "mail" , "occurred_at":"2026-01-15T09:03:42+03:00", "id":"m1","project":"p","source":"unisender","#
                + String(spaced.dropFirst(3)) + "\n",
        ]
        for json in variants {
            #expect(Event.decodeFastPathOnly(json: Array(json.utf8)) == Self.mailEvent, "\(json)")
            #expect(try Event.decode(json: json) == Self.mailEvent)
        }
        let nulls = #"{"id":"r1","type":"registration","project":"p","source":"s","occurred_at":"2026-01-15T09:03:42Z","data":{"user_id":"u","visitor_id":null,"funnel":"Весна","utm":{"source":"vk","term":null},"email_sha256":null}}"#
        let registration = Registration(userID: "u", funnel: "Весна", utm: UTM(source: "vk"))
        #expect(Event.decodeFastPathOnly(json: Array(nulls.utf8))?.data == .registration(registration))
    }

    @Test func leavesOtherShapesToTheFullDecoder() throws {
        let adStats = #"{"id":"a","type":"ad_stats","project":"p","source":"s","occurred_at":"2026-01-15T09:03:42Z","data":{"network":"vk_ads","account_id":"1","campaign_id":"c","ad_id":"d","day":"2026-01-15","impressions":1e2,"clicks":10.0,"cost":"5","currency":"RUB"}}"#
        let cases: [(json: String, read: (Event) -> Bool)] = [
            // An escape in a string: "a\"b" is a"b.
            (Self.mail.replacingOccurrences(of: #""user_id":"u1""#, with: #""user_id":"u\"1""#),
             { $0.data == .mail(Mail(letterID: "L1", channel: "email", userID: "u\"1", event: .opened)) }),
            // data before type.
            (#"{"id":"m1","data":{"letter_id":"L1","channel":"email","user_id":"u1","event":"opened"},"type":"mail","project":"p","source":"unisender","occurred_at":"2026-01-15T09:03:42+03:00"}"#,
             { $0 == Self.mailEvent }),
            // Integers written as 1e2 and 10.0.
            (adStats, { if case .adStats(let stats) = $0.data { stats.impressions == 100 && stats.clicks == 10 } else { false } }),
        ]
        for (json, read) in cases {
            #expect(Event.decodeFastPathOnly(json: Array(json.utf8)) == nil, "\(json)")
            #expect(read(try Event.decode(json: json)), "\(json)")
        }
    }

    @Test func refusedDocumentsKeepTheFullDecodersError() {
        let repeated = Self.mail.replacingOccurrences(of: #""channel":"email","#, with: #""channel":"email","channel":"sms","#)
        #expect(Event.decodeFastPathOnly(json: Array(repeated.utf8)) == nil)
        #expect(throws: EventDecodingError(field: "data", problem: "duplicate field \"channel\"")) { try Event.decode(json: repeated) }
        let empty = Self.mail.replacingOccurrences(of: #""channel":"email""#, with: #""channel":"""#)
        #expect(throws: EventDecodingError(field: "data.channel", problem: "must not be empty")) { try Event.decode(json: empty) }
    }
}
