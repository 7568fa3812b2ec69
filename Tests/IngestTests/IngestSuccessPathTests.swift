import Crypto
import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Kafka
import Testing

/// Real-shaped batches, signed as each service signs them, through the router into the mock cluster: each event lands
/// on its SPEC topic under its SPEC key, and nothing else is produced.
@Suite struct IngestSuccessPathTests {
    /// (topic, key, event id) of every message in the cluster, sorted, for comparing with a hand-written list.
    static func landed(_ harness: IngestHarness, atLeast count: Int) async throws -> [String] {
        let messages = try await harness.allMessages(atLeast: count)
        var rows: [String] = []
        for (topic, list) in messages {
            for message in list {
                let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? "<none>"
                rows.append("\(topic) \(key) \(try Event.decode(json: message.value).id)")
            }
        }
        return rows.sorted()
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Unisender Go

    static func unisenderItem(job: String, status: String, email: String, time: String, url: String = "", user: String, letter: String) -> String {
        """
        {"event_name":"transactional_email_status","event_data":{"job_id":"\(job)","metadata":{"user_id":"\(user)","letter_id":"\(letter)"},
          "email":"\(email)","status":"\(status)","event_time":"\(time)","url":"\(url)",
          "delivery_info":{"delivery_status":"ok","destination_response":"250 OK","user_agent":"Mozilla/5.0","ip":"111.111.111.111"}}}
        """
    }

    /// The id SPEC-wise derived by hand from INPUTS.md §6.2's key (job_id, email, status, event_time, url), salted.
    static func unisenderID(job: String, status: String, email: String, time: String, url: String = "") -> String {
        let key = hex(SHA256.hash(data: Array("\(IngestHarness.salt)\n\(email.lowercased())\n\(time)\n\(url)".utf8)))
        return "unisender_go:\(job):\(status):\(key.prefix(16))"
    }

    @Test func aUnisenderGoBatchLandsOnTheMailsTopicKeyedByUser() async throws {
        let harness = try IngestHarness()
        let items = [
            Self.unisenderItem(job: "1a3Q2V-0000OZ-S0", status: "delivered", email: "Ann@Example.com", time: "2026-01-15 09:10:00", user: "512478330", letter: "promo-7"),
            Self.unisenderItem(job: "1a3Q2V-0000OZ-S0", status: "opened", email: "Ann@Example.com", time: "2026-01-15 09:20:00", user: "512478330", letter: "promo-7"),
            Self.unisenderItem(job: "1a3Q2V-0000OZ-S0", status: "clicked", email: "Ann@Example.com", time: "2026-01-15 09:21:00", url: "https://school.ru/webinar", user: "512478330", letter: "promo-7"),
            Self.unisenderItem(job: "1a3Q2V-0000PA-T1", status: "hard_bounced", email: "bob@example.com", time: "2026-01-15 09:11:00", user: "77", letter: "promo-7"),
            Self.unisenderItem(job: "1a3Q2V-0000PA-T1", status: "subscribed", email: "bob@example.com", time: "2026-01-15 09:12:00", user: "77", letter: "promo-7"),
            #"{"event_name":"transactional_spam_block","event_data":{"block_time":"2026-01-15 09:00:00","block_type":"one_smtp","domain":"example.com","SMTP_blocks_count":8,"domain_status":"blocked"}}"#,
        ]
        let template = """
        {"auth":"%AUTH%","events_by_user":[{"user_id":456,"project_id":"6432890213745872","project_name":"School",
          "events":[\(items.joined(separator: ",\n"))]}]}
        """
        let md5 = Self.hex(Insecure.MD5.hash(data: Array(template.replacingOccurrences(of: "%AUTH%", with: IngestHarness.unisenderKey).utf8)))
        let body = template.replacingOccurrences(of: "%AUTH%", with: md5)
        try await harness.test { client in
            try await client.execute(uri: "/mail/school/unisender-go", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                // delivered, opened, clicked, hard_bounced; subscribed and the spam block give nothing.
                #expect(response.text == #"{"accepted":4}"#)
            }
        }
        let expected = [
            "school.mails school:512478330 " + Self.unisenderID(job: "1a3Q2V-0000OZ-S0", status: "delivered", email: "ann@example.com", time: "2026-01-15 09:10:00"),
            "school.mails school:512478330 " + Self.unisenderID(job: "1a3Q2V-0000OZ-S0", status: "opened", email: "ann@example.com", time: "2026-01-15 09:20:00"),
            "school.mails school:512478330 " + Self.unisenderID(job: "1a3Q2V-0000OZ-S0", status: "clicked", email: "ann@example.com", time: "2026-01-15 09:21:00", url: "https://school.ru/webinar"),
            "school.mails school:77 " + Self.unisenderID(job: "1a3Q2V-0000PA-T1", status: "hard_bounced", email: "bob@example.com", time: "2026-01-15 09:11:00"),
        ].sorted()
        #expect(try await Self.landed(harness, atLeast: 4) == expected)
        let mails = try await harness.messages(in: "school.mails", atLeast: 4)
        let bounced = try #require(try mails.map { try Event.decode(json: $0.value) }.first { $0.id.contains(":hard_bounced:") })
        #expect(bounced.data == .mail(Mail(letterID: "promo-7", channel: "email", userID: "77", event: .bounced)))
        #expect(bounced.occurredAt == Instant(rfc3339: "2026-01-15T09:11:00Z"))
    }

    // MARK: SendGrid

    @Test func aSignedSendGridBatchLandsOnTheMailsTopicKeyedByUser() async throws {
        let privateKey = P256.Signing.PrivateKey()
        let harness = try IngestHarness(sendgridKey: privateKey.publicKey.derRepresentation.base64EncodedString())
        func event(_ name: String, id: String, user: String, extra: String = "") -> String {
            #"{"email":"ann@example.com","timestamp":1768467822,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"\#(name)","category":["promo"],"sg_event_id":"\#(id)","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","user_id":"\#(user)","letter_id":"promo-7"\#(extra)}"#
        }
        let body = "[" + [
            event("processed", id: "cHJvY2Vzc2VkLTA", user: "512478330"),
            event("delivered", id: "ZGVsaXZlcmVkLTA", user: "512478330"),
            event("open", id: "b3Blbi0w", user: "512478330", extra: #","useragent":"Mozilla/5.0","ip":"255.255.255.255""#),
            event("click", id: "Y2xpY2stMA", user: "512478330", extra: #","url":"https://school.ru/webinar","url_offset":{"index":0,"type":"html"}"#),
            event("deferred", id: "ZGVmZXJyZWQtMA", user: "512478330", extra: #","response":"400 try again later","attempt":"5""#),
            event("bounce", id: "Ym91bmNlLTA", user: "77", extra: #","reason":"500 unknown recipient","status":"5.0.0","type":"bounce""#),
        ].joined(separator: ",") + "]"
        let timestamp = "1768467830"
        let signature = try privateKey.signature(for: Data((timestamp + body).utf8)).derRepresentation.base64EncodedString()
        var signed = HTTPFields.header("X-Twilio-Email-Event-Webhook-Signature", signature)
        signed[.init("X-Twilio-Email-Event-Webhook-Timestamp")!] = timestamp
        signed[.contentType] = "application/json"
        let headers = signed
        try await harness.test { client in
            try await client.execute(uri: "/mail/school/sendgrid", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":5}"#)
            }
        }
        #expect(try await Self.landed(harness, atLeast: 5) == [
            "school.mails school:512478330 sendgrid:Y2xpY2stMA",
            "school.mails school:512478330 sendgrid:ZGVsaXZlcmVkLTA",
            "school.mails school:512478330 sendgrid:b3Blbi0w",
            "school.mails school:512478330 sendgrid:cHJvY2Vzc2VkLTA",
            "school.mails school:77 sendgrid:Ym91bmNlLTA",
        ])
    }

    // MARK: GetCourse deals

    static func deal(_ eventType: String, status: String, isPayed: String, ts64: Int, ts: String) -> String {
        """
        {"ts":"\(ts)","ts64":\(ts64),"gcAccountId":384201,"eventType":"getcourse/\(eventType)",
         "deal":{"id":"871035642","number":11892043,"status":"\(status)","isPayed":\(isPayed),"cost":14900,
                 "payedValue":\(isPayed == "true" ? "14900" : "0"),"currency":"RUB","offerIds":[8571204],
                 "createdAt":"2026-01-15T09:00:00Z","clientDealNumber":1},
         "user":{"id":"384201:512478330","gcId":512478330,"cuid":null,"type":"Real","email":"test@example.com"},
         "gcSessionId":9814527360,"gcVisitorId":9402118745}
        """
    }

    @Test func dealWebhooksLandOnTheOrdersTopicAndOnePaymentUnderTwoNamesIsOneEvent() async throws {
        let harness = try IngestHarness()
        let created = Self.deal("dealCreated", status: "new", isPayed: "false", ts64: 1_768_467_600, ts: "2026-01-15T09:00:00Z")
        let paid = Self.deal("dealPaid", status: "payed", isPayed: "true", ts64: 1_768_467_822, ts: "2026-01-15T09:03:42Z")
        let changed = Self.deal("dealStatusChanged", status: "payed", isPayed: "true", ts64: 1_768_467_822, ts: "2026-01-15T09:03:42Z")
        try await harness.test { client in
            for body in [created, paid, changed] {
                try await client.execute(uri: "/gc/school/deals?secret=\(IngestHarness.secret)", method: .post, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == .ok)
                    #expect(response.text == #"{"accepted":1}"#)
                }
            }
        }
        let rows = try await Self.landed(harness, atLeast: 3)
        // Two deliveries of the payment, one id: the worker applies an id once (SPEC §5), so it counts once.
        #expect(rows == [
            "school.orders school:871035642 getcourse:order:871035642:new:1768467600",
            "school.orders school:871035642 getcourse:order:871035642:payed:1768467822",
            "school.orders school:871035642 getcourse:order:871035642:payed:1768467822",
        ])
        let events = try await harness.messages(in: "school.orders", atLeast: 3).map { try Event.decode(json: $0.value) }
        #expect(Set(events).count == 2, "the dealPaid and dealStatusChanged deliveries decode to the very same event")
        #expect(events.allSatisfy { !String(decoding: $0.encodeJSON(), as: UTF8.self).contains("test@example.com") })
    }

    // MARK: Telegram migrations across a restart

    static let telegramHeaders = HTTPFields.header("X-Telegram-Bot-Api-Secret-Token", IngestHarness.telegramSecret)

    static func telegramUpdate(chat: Int64, type: String, messageID: Int, body: String) -> String {
        #"{"update_id":\#(messageID),"message":{"message_id":\#(messageID),"from":{"id":987654321,"is_bot":false,"first_name":"Ana"},"chat":{"id":\#(chat),"type":"\#(type)","title":"Школа"},"date":1768467822,\#(body)}}"#
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ingest-state-\(UUID().uuidString)")
    }

    @Test func aGroupMigrationSurvivesAnIngestRestart() async throws {
        let stateDirectory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let first = try IngestHarness(chatAliases: ChatAliasStore(stateDirectory: stateDirectory))
        let migrate = Self.telegramUpdate(chat: -4001, type: "group", messageID: 90, body: #""migrate_to_chat_id":-1009999"#)
        try await first.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: migrate)) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":0}"#)
            }
        }
        // A new store on the same directory is what a restarted `pipeline ingest --state-dir` opens.
        let restartedStore = try ChatAliasStore(stateDirectory: stateDirectory)
        #expect(await restartedStore.aliases(of: "school") == ["-4001": "-1009999"])
        let second = try IngestHarness(cluster: first.cluster, chatAliases: restartedStore)
        let late = Self.telegramUpdate(chat: -4001, type: "group", messageID: 91, body: #""text":"late message in the old group""#)
        try await second.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: late)) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":1}"#)
            }
        }
        #expect(try await Self.landed(second, atLeast: 1) == ["school.chat school:-1009999 telegram:-1009999:91:message"])
    }

    @Test func theRealBinaryKeepsAMigrationAcrossARestartWithStateDir() async throws {
        let stateDirectory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let headers = ["X-Telegram-Bot-Api-Secret-Token": IngestProcess.telegramSecret, "Content-Type": "application/json"]
        let first = try IngestProcess(arguments: ["--state-dir", stateDirectory.path])
        let migrate = Self.telegramUpdate(chat: -4001, type: "group", messageID: 90, body: #""migrate_to_chat_id":-1009999"#)
        #expect(try first.post("/telegram/fuzz", headers: headers, body: migrate) == 200)
        first.stop()
        #expect(first.process.wait().status == 0)

        let second = try IngestProcess(arguments: ["--state-dir", stateDirectory.path])
        let late = Self.telegramUpdate(chat: -4001, type: "group", messageID: 91, body: #""text":"late message in the old group""#)
        #expect(try second.post("/telegram/fuzz", headers: headers, body: late) == 200)
        let messages = try await second.messages(in: ["school.chat"], atLeast: 1)
        #expect(messages.map { $0.key.map { String(decoding: $0, as: UTF8.self) } } == ["fuzz:-1009999"])
        #expect(try messages.map { try Event.decode(json: $0.value).id } == ["telegram:-1009999:91:message"])
    }

    @Test func withoutAStateDirectoryAMigrationIsForgottenOnRestart() async throws {
        let first = try IngestHarness()
        let migrate = Self.telegramUpdate(chat: -4001, type: "group", messageID: 90, body: #""migrate_to_chat_id":-1009999"#)
        try await first.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: migrate)) {
                #expect($0.status == .ok)
            }
        }
        let second = try IngestHarness(cluster: first.cluster)
        let late = Self.telegramUpdate(chat: -4001, type: "group", messageID: 91, body: #""text":"late""#)
        try await second.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: late)) {
                #expect($0.status == .ok)
            }
        }
        #expect(try await Self.landed(second, atLeast: 1) == ["school.chat school:-4001 telegram:-4001:91:message"])
    }

    @Test func aMigrationThatCannotBeWrittenIs503AndTakenOnRetry() async throws {
        let stateDirectory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        let harness = try IngestHarness(chatAliases: ChatAliasStore(stateDirectory: stateDirectory))
        // A non-empty directory where the file should be: the rename over it fails, even for root.
        let blocker = stateDirectory.appendingPathComponent(ChatAliasStore.fileName)
        try FileManager.default.createDirectory(at: blocker.appendingPathComponent("x"), withIntermediateDirectories: true)
        let migrate = Self.telegramUpdate(chat: -4001, type: "group", messageID: 90, body: #""migrate_to_chat_id":-1009999"#)
        try await harness.test { client in
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: migrate)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "5")
            }
            try FileManager.default.removeItem(at: blocker)
            try await client.execute(uri: "/telegram/school", method: .post, headers: Self.telegramHeaders, body: ByteBuffer(string: migrate)) {
                #expect($0.status == .ok)
            }
        }
        let reopened = try ChatAliasStore(stateDirectory: stateDirectory)
        #expect(await reopened.aliases(of: "school") == ["-4001": "-1009999"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: stateDirectory.path)
        #expect(leftovers == [ChatAliasStore.fileName], "no temporary file is left behind")
    }

    @Test func aDamagedStateFileRefusesToStart() throws {
        let stateDirectory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: stateDirectory) }
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        try Data(#"{"school": ["-4001"]}"#.utf8).write(to: stateDirectory.appendingPathComponent(ChatAliasStore.fileName))
        #expect(throws: ChatAliasStore.Failure.self) { try ChatAliasStore(stateDirectory: stateDirectory) }
    }
}
