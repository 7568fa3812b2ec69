import Foundation
import Testing
import Events

@Suite struct EventCodingTests {
    @Test(arguments: EventFixtures.all)
    func builtEventsRoundTrip(_ event: Event) throws {
        try event.validate()
        #expect(try Event.decode(json: event.encodeJSON()) == event)
    }

    /// SPEC §4.15: an alias equal to its user_id is invalid; the schemas cannot say so, the decoder does.
    @Test func aliasEqualToUserIsRefused() throws {
        let json = #"{"id":"i","type":"identity","project":"p","source":"telegram","occurred_at":"2026-01-15T09:03:42Z","data":{"user_id":"tg:5","alias":"tg:5"}}"#
        #expect(throws: EventDecodingError(field: "data.alias", problem: "must differ from user_id")) { try Event.decode(json: json) }
        let differing = json.replacingOccurrences(of: #""alias":"tg:5""#, with: #""alias":"tg:6""#)
        #expect(try Event.decode(json: differing).data == .identity(Identity(userID: "tg:5", alias: "tg:6")))
    }

    @Test func learningEncodingOmitsAnAbsentLesson() {
        let json = String(decoding: EventFixtures.learningWithoutLesson.encodeJSON(), as: UTF8.self)
        #expect(json.hasSuffix(#""data":{"user_id":"u-1","course_id":"webinar-7","kind":"webinar_attended"}}"#), "\(json)")
    }

    @Test func canonicalEncoding() {
        let json = String(decoding: EventFixtures.click.encodeJSON(), as: UTF8.self)
        #expect(json == #"{"id":"e-1","type":"click","project":"school1","source":"test","occurred_at":"2026-01-15T06:03:42Z","data":{"visitor_id":"v-1","url":"https://s.example/","utm":{"source":"yandex","campaign":"c1","content":"a1"},"click_ids":{"gclid":"8","yclid":"9"}}}"#)
        let order = String(decoding: EventFixtures.order.encodeJSON(), as: UTF8.self)
        #expect(order.contains(#""amount":"14900.00""#))
        #expect(order.contains(#""created_at":"2026-01-15T06:00:00.250000Z""#))
        let stats = String(decoding: EventFixtures.adStats.encodeJSON(), as: UTF8.self)
        #expect(stats.hasSuffix(#""day":"2026-01-14","impressions":100,"clicks":3,"cost":"12.5","currency":"RUB"}}"#))
    }

    @Test func keepsTheOriginalOccurredAtText() throws {
        let text = #"{"id":"x","type":"chat","project":"p","source":"s","occurred_at":"2026-01-15T09:03:42.100+03:00","data":{"chat_id":"c","message_id":"m","user_id":"u","kind":"join"}}"#
        let event = try Event.decode(json: text)
        #expect(event.occurredAtText == "2026-01-15T09:03:42.100+03:00")
        #expect(event.occurredAt == Instant(rfc3339: "2026-01-15T06:03:42.1Z"))
        #expect(String(decoding: event.encodeJSON(), as: UTF8.self) == text)
    }

    @Test func escapesStrings() throws {
        let event = Event(id: "q\"\\\n\u{1}/я😀", project: "p", source: "s", occurredAt: EventFixtures.occurredAt,
                          data: .chat(Chat(chatID: "\t", messageID: "\u{2028}", userID: "", kind: .message)))
        let json = String(decoding: event.encodeJSON(), as: UTF8.self)
        #expect(json.contains(#""id":"q\"\\\n\u0001/я😀""#))
        #expect(try Event.decode(json: event.encodeJSON()) == event)
    }

    @Test func validateReportsInvalidBuiltEvents() {
        let empty = Event(id: "", project: "p", source: "s", occurredAt: EventFixtures.occurredAt, data: .chat(Chat(chatID: "c", messageID: "m", userID: "u", kind: .join)))
        #expect(throws: EventDecodingError(field: "id", problem: "must not be empty")) { try empty.validate() }
        let freePayment = EventFixtures.event(.payment(Payment(paymentID: "p", orderID: "o", userID: "u", amount: .zero, currency: "RUB", status: .accepted)))
        #expect(throws: EventDecodingError(field: "data.amount", problem: "must be greater than 0")) { try freePayment.validate() }
        let badCurrency = EventFixtures.event(.order(Order(orderID: "o", userID: "u", status: .new, amount: 1, currency: "rub", createdAt: EventFixtures.occurredAt)))
        #expect(throws: EventDecodingError(field: "data.currency", problem: "must be a 3-letter ISO 4217 code")) { try badCurrency.validate() }
        let negative = EventFixtures.event(.order(Order(orderID: "o", userID: "u", status: .new, amount: DecimalNumber("-1")!, currency: "RUB", createdAt: EventFixtures.occurredAt)))
        #expect(throws: EventDecodingError.self) { try negative.validate() }
        let mismatched = Event(id: "x", project: "p", source: "s", occurredAt: EventFixtures.occurredAt, occurredAtText: "2026-01-15T09:03:42Z", data: EventFixtures.chat.data)
        #expect(throws: EventDecodingError.self) { try mismatched.validate() }
    }

    @Test func errorDescription() {
        let error = EventDecodingError(field: "data.amount", problem: "missing")
        #expect(error.description == "data.amount: missing")
        #expect("\(error)" == "data.amount: missing")
    }

    @Test func jsonDistinguishesStringsNumbersAndBooleans() {
        func problem(_ impressions: String) -> String? {
            let json = #"{"id":"a","type":"ad_stats","project":"p","source":"s","occurred_at":"2026-01-15T09:03:42Z","data":{"network":"n","account_id":"1","campaign_id":"2","ad_id":"3","day":"2026-01-15","impressions":"# + impressions + #","clicks":0,"cost":"0","currency":"RUB"}}"#
            do { _ = try Event.decode(json: json); return nil } catch { return error.description }
        }
        #expect(problem("1") == nil)
        #expect(problem("-0") == nil)
        #expect(problem("1E2") == nil)
        #expect(problem("100e-2") == nil)
        #expect(problem("0.0") == nil)
        #expect(problem("1e-1") == "data.impressions: must be an integer, got 1e-1")
        #expect(problem("1e999999999999999999999") == "data.impressions: must be at most 9007199254740991, got 1e999999999999999999999")
        #expect(problem("-1e999") == "data.impressions: must be at least 0, got -1e999")
        #expect(problem("true") == "data.impressions: must be an integer, got boolean")
        #expect(problem("\"1\"") == "data.impressions: must be an integer, got string")
        #expect(problem("[1]") == "data.impressions: must be an integer, got array")
    }
}
