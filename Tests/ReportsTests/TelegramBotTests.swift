import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Reports
import Testing

/// The Bot API client against a fake Telegram on 127.0.0.1 speaking the real request and answer shapes.
@Suite("Telegram sendMessage")
struct TelegramBotTests {
    static let token = "123456:AAE-secret_token"

    /// The client under test, with a request timeout far beyond any stall of this process.
    ///
    /// The fake answers from Swift's cooperative pool, which long synchronous tests elsewhere in the
    /// run can hold for minutes on two cores: with the product's 30 s, the client timed out on a
    /// request the fake had already recorded and sent it again, which the test saw as one request
    /// too many (a fresh clone's test run, 2026-12-07; reproduced with six tests blocking the pool
    /// for 75 s). Timeouts are not what these tests are about; the retries they check answer at once.
    static func bot(_ base: URL, sleeper: RecordingSleeper) -> TelegramBot {
        var bot = TelegramBot(token: token, apiBase: base, session: URLSession(configuration: .ephemeral), sleep: sleeper.sleep)
        bot.requestTimeout = .seconds(900)
        return bot
    }

    @Test("the request: POST /bot<token>/sendMessage with a JSON body of chat_id, text, parse_mode")
    func requestShape() async throws {
        let telegram = FakeTelegram(replies: [.sent(messageID: 42)])
        let sleeper = RecordingSleeper()
        let text = "<b>r-school</b> · 4\u{00A0}000.00 & \"quotes\"\nnext line"
        let message = try await telegram.serve { base in
            try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-1001234567890", text: text, parseMode: "HTML")
        }
        #expect(message == 42)
        let requests = telegram.requests
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/bot\(Self.token)/sendMessage")
        #expect(request.contentType == "application/json")
        let json = request.json
        #expect(Set(json.keys) == ["chat_id", "text", "parse_mode"])
        #expect((json["chat_id"] as? NSNumber)?.int64Value == -1001234567890)  // a numeric id goes as a number
        #expect(json["text"] as? String == text)
        #expect(json["parse_mode"] as? String == "HTML")
        #expect(sleeper.waits.isEmpty)
    }

    @Test("a channel username goes as a string; no parse_mode when none is asked for")
    func usernameChat() async throws {
        let telegram = FakeTelegram(replies: [.sent(messageID: 7)])
        _ = try await telegram.serve { base in
            try await Self.bot(base, sleeper: RecordingSleeper()).sendMessage(chatID: "@school_digest", text: "plain")
        }
        let json = try #require(telegram.requests.first).json
        #expect(json["chat_id"] as? String == "@school_digest")
        #expect(json["parse_mode"] == nil && json["text"] as? String == "plain")
    }

    @Test("429 with retry_after: waits exactly that long through the injected sleeper, then sends again")
    func rateLimited() async throws {
        let telegram = FakeTelegram(replies: [.tooManyRequests(retryAfter: 3), .sent(messageID: 43)])
        let sleeper = RecordingSleeper()
        let message = try await telegram.serve { base in
            try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100777", text: "digest", parseMode: "HTML")
        }
        #expect(message == 43)
        #expect(sleeper.waits == [.seconds(3)])
        let requests = telegram.requests
        #expect(requests.count == 2)
        #expect(requests.map(\.body) == [requests[0].body, requests[0].body])  // the same message, not a changed one
    }

    @Test("rate-limited every time: gives up after three retries with Telegram's description")
    func rateLimitedForever() async throws {
        let telegram = FakeTelegram(replies: Array(repeating: .tooManyRequests(retryAfter: 2), count: 5))
        let sleeper = RecordingSleeper()
        await #expect {
            try await telegram.serve { base in
                try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100777", text: "digest")
            }
        } throws: { error in
            let error = error as? ReportError
            return error?.code == .telegramRefused
                && error?.description == "Telegram refused sendMessage: 429 Too Many Requests: retry after 2"
        }
        #expect(telegram.requests.count == 4)
        #expect(sleeper.waits == [.seconds(2), .seconds(2), .seconds(2)])
    }

    @Test("a retry_after beyond the limit is not waited for")
    func retryAfterTooLong() async throws {
        let telegram = FakeTelegram(replies: [.tooManyRequests(retryAfter: 3600)])
        let sleeper = RecordingSleeper()
        await #expect(throws: ReportError.self) {
            try await telegram.serve { base in
                try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100777", text: "digest")
            }
        }
        #expect(telegram.requests.count == 1 && sleeper.waits.isEmpty)
    }

    @Test("a refusal (chat not found) fails at once, naming Telegram's reason, never the token")
    func refused() async throws {
        let telegram = FakeTelegram(replies: [.error(400, "Bad Request: chat not found")])
        let sleeper = RecordingSleeper()
        do {
            _ = try await telegram.serve { base in
                try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100999", text: "digest")
            }
            Issue.record("sendMessage succeeded against a refusal")
        } catch let error as ReportError {
            #expect(error.code == .telegramRefused)
            #expect(error.description == "Telegram refused sendMessage: 400 Bad Request: chat not found")
            #expect(!"\(error)".contains(Self.token))
        }
        #expect(telegram.requests.count == 1 && sleeper.waits.isEmpty)
    }

    @Test("a gateway error without the Bot API's JSON is retried with a backoff of 1 s, 2 s")
    func badGateway() async throws {
        let telegram = FakeTelegram(replies: [.badGateway, .error(500, "Internal Server Error"), .sent(messageID: 44)])
        let sleeper = RecordingSleeper()
        let message = try await telegram.serve { base in
            try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100777", text: "digest")
        }
        #expect(message == 44)
        #expect(sleeper.waits == [.seconds(1), .seconds(2)])
    }

    @Test("an unreachable API: retried, then an error naming the host only")
    func unreachable() async throws {
        // A port that was just free: nobody listens, so every connection is refused.
        let base = try await FakeTelegram(replies: []).serve { $0 }
        let sleeper = RecordingSleeper()
        do {
            _ = try await Self.bot(base, sleeper: sleeper).sendMessage(chatID: "-100777", text: "digest")
            Issue.record("sendMessage succeeded with nobody listening")
        } catch let error as ReportError {
            #expect(error.code == .telegramUnreachable)
            #expect(error.description.hasPrefix("could not reach the Telegram Bot API at 127.0.0.1: URLError"))
            #expect(!error.description.contains(Self.token))
        }
        #expect(sleeper.waits == [.seconds(1), .seconds(2), .seconds(4)])
    }
}
