import Crypto
import Events
import Foundation
import Normalizers
import Testing

/// Seeded mutations of every normalizer's real-shaped input (INPUTS.md): no crash, every rejection a
/// `NormalizationError` naming a field the sender sent, every accepted event stable through encode → decode. Mail bodies are
/// re-signed after mutation, so the fuzzing reaches past the signature check.
@Suite struct NormalizerFuzzTests {
    static let context = ProjectContext(project: "school1", salt: "s4lt", timeZone: TimeZone(identifier: "Europe/Moscow")!)
    static let receivedAt = Instant(rfc3339: "2026-01-15T10:00:00Z")!

    /// Counts of one run, and the first few property violations.
    struct Run {
        let name: String
        var inputs = 0, accepted = 0, events = 0
        var fields: Set<String> = []
        var failures: [String] = []

        init(_ name: String) { self.name = name }

        mutating func record(_ input: @autoclosure () -> String, _ body: () throws(NormalizationError) -> [Event]) {
            inputs += 1
            do {
                let produced = try body()
                accepted += 1
                events += produced.count
                for event in produced where !Event.roundTrips(event) || (try? event.validate()) == nil {
                    if failures.count < 5 { failures.append("accepted but not stable: \(event) from \(input())") }
                }
            } catch {
                fields.insert(error.field)
                if error.field.isEmpty || error.problem.isEmpty || error.field.count > 200, failures.count < 5 {
                    failures.append("error without a usable field (\(error)) from \(input())")
                }
                // `event.…` is a field of the event the normalizer built, which the sender never sent: every
                // problem must have been caught under the sender's own name before.
                if error.field.hasPrefix("event."), failures.count < 5 {
                    failures.append("refused under a derived field (\(error)) from \(input())")
                }
            }
        }

        func finish() {
            print("fuzz \(name): seed=\(FuzzSettings.seed) inputs=\(inputs) accepted=\(accepted) events=\(events) refused=\(inputs - accepted) distinct-fields=\(fields.count)")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            #expect(accepted > 0, "no mutation was accepted: the run tested only refusals")
            #expect(inputs - accepted > 0)
        }
    }

    // MARK: GetCourse

    static let dealSeeds: [String] = [
        #"{"ts":"2026-01-15T09:03:42Z","ts64":1768467822,"gcAccountId":384201,"eventType":"getcourse/dealPaid","deal":{"id":"871035642","number":11892043,"status":"payed","isPayed":true,"cost":14900,"payedValue":14900,"currency":"RUB","offerIds":[8571204],"createdAt":"2026-01-15T09:00:00Z","clientDealNumber":1},"user":{"id":"384201:512478330","gcId":512478330,"cuid":null,"type":"Real","email":"test@example.com"},"gcSessionId":9814527360,"gcVisitorId":9402118745}"#,
        #"[{"ts":"2026-01-15T09:00:00Z","eventType":"getcourse/dealCreated","deal":{"id":871035643,"status":"new","isPayed":0,"cost":"4900.50","currency":"usd","clientDealNumber":"0"},"user":{"gcId":77}},{"ts64":1768467900,"eventType":"getcourse/dealStatusChanged","deal":{"id":"871035643","status":"false","isPayed":"0","cost":4900.5,"payedValue":1181.16},"user":{"id":"1:77"}}]"#,
    ]

    @Test func getCourseDealWebhooks() {
        let webhook = GetCourseDealWebhook(context: Self.context)
        var mutator = Mutator(seed: FuzzSettings.seed &+ 1)
        var run = Run("getcourse-deals")
        for seed in Self.dealSeeds {
            run.record(seed) { () throws(NormalizationError) in try webhook.normalize(body: Array(seed.utf8)) }
            for _ in 0..<(4_000 * FuzzSettings.scale) {
                let input = mutator.mutateJSON(Array(seed.utf8))
                run.record(String(decoding: input, as: UTF8.self)) { () throws(NormalizationError) in try webhook.normalize(body: input) }
            }
        }
        run.finish()
    }

    static let callbackSeeds: [(GetCourseCallback.Kind, [String: String])] = [
        (.user, ["user_id": "512478330", "email": "a@b.ru", "created_at": "2026-01-15 09:00:00", "utm_source": "yandex", "utm_campaign": "spring", "visitor_id": "v1", "funnel": "webinar"]),
        (.order, ["order_id": "871035642", "user_id": "512478330", "status": "payed", "cost_money_value": "14900", "currency": "RUB", "created_at": "2026-01-15 09:00:00", "payed_at": "2026-01-15 09:03:42", "manager_email": "m@school.ru", "positions": "Course"]),
        (.order, ["order_id": "871035643", "user_id": "512478331", "status": "new", "cost_money_value": "4900", "created_at": "2026-01-16 10:00:00",
                  "positions": "Курс «Старт», Тариф VIP", "offers": "8571204,8571205", "manager": "Ольга Смирнова", "manager_email": "olga@school.ru",
                  "deal_utm_source": "yandex", "deal_utm_campaign": "c123", "deal_utm_content": "ad9", "tags": "launch:2026-10, flow:5, vip"]),
        (.order, ["id": "5", "user_id": "7", "status": "in_work", "cost_money": "14 900 руб.", "created_at": "15.01.2026 09:00", "updated_at": "2026-01-15T09:30:00+03:00"]),
        (.payment, ["payment_id": "p1", "order_id": "871035642", "user_id": "512478330", "status": "accepted", "amount": "299,7", "currency": "usd", "payed_at": "2026-01-15 09:03:42"]),
        (.payment, ["payment_id": "p2", "order_id": "1", "user_id": "2", "status": "returned", "payed_money": "100"]),
    ]

    static let callbackNames = ["user_id", "id", "order_id", "payment_id", "status", "cost_money_value", "cost", "cost_money", "amount", "payed_money",
                                "currency", "created_at", "payed_at", "updated_at", "status_changed_at", "email", "manager_id", "manager_email",
                                "utm_source", "user_utm_source", "visitor_id", "funnel", "product", "positions", "offers",
                                "manager_name", "manager", "tags", "deal_utm_source", "deal_utm_campaign", "custom_utm_source"]

    @Test func getCourseCallbacks() {
        let callback = GetCourseCallback(context: Self.context)
        var mutator = Mutator(seed: FuzzSettings.seed &+ 2)
        var run = Run("getcourse-callbacks")
        for (kind, seed) in Self.callbackSeeds {
            run.record("\(seed)") { () throws(NormalizationError) in try callback.normalize(kind: kind, query: seed, receivedAt: Self.receivedAt) }
            for _ in 0..<(2_000 * FuzzSettings.scale) {
                let query = mutator.mutateQuery(seed, names: Self.callbackNames)
                run.record("\(kind) \(query)") { () throws(NormalizationError) in try callback.normalize(kind: kind, query: query, receivedAt: Self.receivedAt) }
            }
        }
        run.finish()
    }

    // MARK: Mail services

    static let unisenderKey = "6gq7b4rgx3w7pd6jx1m3y3gwjx3h8bja"
    static let unisenderSeed = #"{"auth":"%AUTH%","events_by_user":[{"user_id":456,"project_id":"6432890213745872","events":[{"event_name":"transactional_email_status","event_data":{"job_id":"1a3Q2V-0000OZ-S0","metadata":{"user_id":"512478330","letter_id":"promo-7"},"email":"a@b.ru","status":"clicked","event_time":"2026-01-15 09:10:00","url":"https://school.ru/"}},{"event_name":"transactional_email_status","event_data":{"job_id":"j2","metadata":{"user_id":77,"campaign_id":12},"status":"soft_bounced","event_time":"2026-01-15 09:11:00"}},{"event_name":"transactional_spam_block","event_data":{"block_time":"2026-01-15 09:00:00"}}]}]}"#

    /// Signs the mutated body as Unisender Go would, when the placeholder survived the mutation.
    static func unisenderSigned(_ body: [UInt8]) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
        guard text.contains("%AUTH%"), Array(text.utf8) == body else { return body }
        let md5 = Insecure.MD5.hash(data: Array(text.replacingOccurrences(of: "%AUTH%", with: unisenderKey).utf8)).map { String(format: "%02x", $0) }.joined()
        return Array(text.replacingOccurrences(of: "%AUTH%", with: md5).utf8)
    }

    @Test func unisenderGoBatches() {
        let webhook = UnisenderGoWebhook(context: Self.context, apiKey: Self.unisenderKey)
        var mutator = Mutator(seed: FuzzSettings.seed &+ 3)
        var run = Run("unisender-go")
        let seed = Array(Self.unisenderSeed.utf8)
        run.record(Self.unisenderSeed) { () throws(NormalizationError) in try webhook.normalize(body: Self.unisenderSigned(seed)) }
        for _ in 0..<(6_000 * FuzzSettings.scale) {
            let input = Self.unisenderSigned(mutator.mutateJSON(seed))
            run.record(String(decoding: input, as: UTF8.self)) { () throws(NormalizationError) in try webhook.normalize(body: input) }
        }
        run.finish()
    }

    static let sendGridSeed = #"[{"email":"a@b.ru","timestamp":1768467822,"event":"open","sg_event_id":"b3Blbi0w","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001","user_id":"512478330","letter_id":"promo-7"},{"email":"a@b.ru","timestamp":"1768467823","event":"deferred","sg_event_id":"ZGVm","user_id":1},{"timestamp":1768467824,"event":"bounce","sg_event_id":"Ym91","sg_message_id":"m1.x","user_id":2,"marketing_campaign_id":5}]"#

    @Test func sendGridBatches() throws {
        let key = P256.Signing.PrivateKey()
        let webhook = try SendGridEventWebhook(context: Self.context, verificationKey: key.publicKey.derRepresentation.base64EncodedString())
        var mutator = Mutator(seed: FuzzSettings.seed &+ 4)
        var run = Run("sendgrid")
        let seed = Array(Self.sendGridSeed.utf8)
        // ECDSA in a debug build costs about a millisecond per signature: fewer, still thousands of, inputs.
        for index in 0...(2_000 * FuzzSettings.scale) {
            let input = index == 0 ? seed : mutator.mutateJSON(seed)
            let timestamp = "1768467830"
            let signature = try key.signature(for: Data(timestamp.utf8) + Data(input)).derRepresentation.base64EncodedString()
            run.record(String(decoding: input, as: UTF8.self)) { () throws(NormalizationError) in
                try webhook.normalize(body: input, signature: signature, timestamp: timestamp)
            }
        }
        run.finish()
    }

    // MARK: Telegram

    static let telegramSeeds = [
        #"{"update_id":1,"message":{"message_id":42,"from":{"id":987654321,"is_bot":false,"first_name":"Ana"},"chat":{"id":-4001,"type":"group","title":"School"},"date":1713456789,"text":"hi"}}"#,
        #"{"update_id":2,"edited_message":{"message_id":43,"from":{"id":"5","is_bot":false},"chat":{"id":-1001234567890,"type":"supergroup"},"date":1713456790,"edit_date":1713456999,"text":"x"}}"#,
        #"{"update_id":3,"message":{"message_id":44,"from":{"id":1,"is_bot":false},"chat":{"id":-4001,"type":"group"},"date":1713456791,"new_chat_members":[{"id":11,"is_bot":false},{"id":12,"is_bot":true}]}}"#,
        #"{"update_id":4,"message":{"message_id":45,"chat":{"id":-4001,"type":"group"},"date":1713456792,"migrate_to_chat_id":-1009999}}"#,
        #"{"update_id":5,"message":{"message_id":46,"from":{"id":1,"is_bot":false},"chat":{"id":-1009999,"type":"supergroup"},"date":1713456793,"left_chat_member":{"id":13,"is_bot":false}}}"#,
    ]

    @Test func telegramUpdatesWithTheirAliases() {
        let telegram = TelegramUpdate(context: Self.context)
        var mutator = Mutator(seed: FuzzSettings.seed &+ 5)
        var run = Run("telegram")
        // Alias maps carried from one update to the next, as the store does, plus cycles a damaged map could hold.
        var aliases: [String: String] = ["-1": "-2", "-2": "-1", "-4001": "-1009999"]
        for seed in Self.telegramSeeds {
            for index in 0...(2_000 * FuzzSettings.scale) {
                let input = index == 0 ? Array(seed.utf8) : mutator.mutateJSON(Array(seed.utf8))
                let current = aliases
                run.record(String(decoding: input, as: UTF8.self)) { () throws(NormalizationError) in
                    let output = try telegram.normalize(update: input, chatAliases: current)
                    aliases = output.chatAliases.count > 200 ? [:] : output.chatAliases
                    return output.events
                }
            }
        }
        run.finish()
    }

    // MARK: Click tracker

    @Test func trackedClicks() {
        let tracker = ClickTracker(context: Self.context, allowedHosts: ["school.ru"])
        var mutator = Mutator(seed: FuzzSettings.seed &+ 6)
        var run = Run("click-tracker")
        let seed = ["url": "https://school.ru/webinar?x=1", "utm_source": "yandex", "utm_medium": "cpc", "utm_campaign": "spring", "yclid": "123"]
        let names = ["url", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] + ClickTracker.clickIDParameters
        let targets = ["https://school.ru/", "http://a.school.ru:8080/x", "https://school.ru@evil.com/", "//evil.com", "https:\\\\evil.com",
                       "javascript:alert(1)", "https://school.ru.evil.com/", "https://[::1]/", "https://SCHOOL.RU./x", "https://school.ru:99999/"]
        for index in 0...(6_000 * FuzzSettings.scale) {
            var query = index == 0 ? seed : mutator.mutateQuery(seed, names: names)
            if mutator.chance(20) { query["url"] = mutator.pick(targets) }
            let link = mutator.chance(90) ? "spring" : mutator.pick(Mutator.strings)
            let visitor = mutator.chance(90) ? "v1" : mutator.pick(Mutator.strings)
            run.record("\(link) \(visitor) \(query)") { () throws(NormalizationError) in
                let redirect = try tracker.normalize(pathComponents: ["c", "school1", link], query: query, visitorID: visitor, receivedAt: Self.receivedAt)
                // An accepted redirect never leaves the allow-list.
                let host = URLComponents(string: redirect.target)?.host?.lowercased() ?? ""
                guard host == "school.ru" || host.hasSuffix(".school.ru") || host == "school.ru." || host.hasSuffix(".school.ru.") else {
                    throw NormalizationError(field: "", problem: "accepted a target outside the allow-list: \(redirect.target)")
                }
                return [redirect.event]
            }
        }
        run.finish()
    }
}
