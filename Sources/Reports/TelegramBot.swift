import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging

/// A sender of chat messages through the Telegram Bot API (`POST /bot<token>/sendMessage`, JSON body).
///
/// A rate-limit answer (`ok: false` with `parameters.retry_after`) is waited out and the message sent
/// again; server errors and unreachable servers are retried with a short backoff. The token is part of
/// the URL, so neither errors nor logs ever show the URL.
public struct TelegramBot: Sendable {
    /// Telegram's own endpoint; tests point `apiBase` at a local fake.
    public static let defaultAPIBase = URL(string: "https://api.telegram.org")!

    /// Where the Bot API is (a local Bot API server, or a test's fake).
    public var apiBase: URL
    /// Sends after the first one, at most, before giving up. Default 3.
    public var maximumRetries = 3
    /// The longest `retry_after` worth waiting for; a longer one fails at once. Default 120 s.
    public var maximumRetryAfter: Duration = .seconds(120)
    /// How long one request may go unanswered before it counts as unreachable and is retried. Default 30 s.
    public var requestTimeout: Duration = .seconds(30)
    /// Waits between attempts; injected so that tests do not sleep.
    public var sleep: @Sendable (Duration) async throws -> Void
    private let token: String
    private let session: URLSession
    private let logger: Logger

    public init(token: String, apiBase: URL = defaultAPIBase, session: URLSession = .shared,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                logger: Logger = Logger(label: "telegram", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.token = token
        self.apiBase = apiBase
        self.session = session
        self.sleep = sleep
        self.logger = logger
    }

    /// Sends `text` to `chatID` (a numeric id such as `-1001234567890`, or `@channelname`) and returns
    /// the new message's id. Throws `ReportError` `.telegramRefused` or `.telegramUnreachable`.
    @discardableResult
    public func sendMessage(chatID: String, text: String, parseMode: String? = nil) async throws -> Int {
        let body = try JSONEncoder().encode(SendMessage(chatID: chatID, text: text, parseMode: parseMode))
        var request = URLRequest(url: apiBase.appendingPathComponent("bot\(token)").appendingPathComponent("sendMessage"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        request.timeoutInterval = Double(requestTimeout.components.seconds)
        let host = apiBase.host ?? "the Bot API"

        var retry = 0
        while true {
            switch try await attempt(request, host: host, retry: retry) {
            case .sent(let messageID):
                return messageID
            case .retry(let delay, let problem):
                guard retry < maximumRetries else { throw problem }
                retry += 1
                logger.warning("telegram sendMessage: retrying", metadata: [
                    "problem": "\(problem)", "retry": "\(retry)", "after": "\(delay)",
                ])
                try await sleep(delay)
            }
        }
    }

    /// What one send came to.
    enum Outcome {
        case sent(messageID: Int)
        /// Worth another try after `delay`; `problem` is what to report if no try is left.
        case retry(delay: Duration, problem: ReportError)
    }

    /// One send: the message id, a retry with its wait, or a thrown refusal that no retry would change.
    func attempt(_ request: URLRequest, host: String, retry: Int) async throws -> Outcome {
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError {
            return .retry(delay: Self.backoff(retry), problem: ReportError(
                .telegramUnreachable, "could not reach the Telegram Bot API at \(host): URLError \(error.code.rawValue)"))
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            let problem = ReportError(.telegramUnreachable, "the Telegram Bot API at \(host) answered HTTP \(status) without its JSON")
            guard status >= 500 else { throw problem }
            return .retry(delay: Self.backoff(retry), problem: problem)
        }
        if answer.ok, let result = answer.result { return .sent(messageID: result.message_id) }
        let code = answer.error_code ?? status
        let problem = ReportError(.telegramRefused, "Telegram refused sendMessage: \(code) \(answer.description ?? "(no description)")")
        if let seconds = answer.parameters?.retry_after {
            // Flood control says exactly when to come back; longer than we are willing to wait is a failure now.
            guard .seconds(seconds) <= maximumRetryAfter else { throw problem }
            return .retry(delay: .seconds(max(seconds, 1)), problem: problem)
        }
        guard code >= 500 else { throw problem }
        return .retry(delay: Self.backoff(retry), problem: problem)
    }

    /// 1 s, 2 s, 4 s...: for failures that say nothing about when to come back.
    static func backoff(_ retry: Int) -> Duration { .seconds(1 << min(retry, 5)) }

    /// The `sendMessage` parameters; `chat_id` is a number when it reads as one, as the Bot API documents it.
    struct SendMessage: Encodable {
        let chatID: String
        let text: String
        let parseMode: String?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id", text, parseMode = "parse_mode"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            if let number = Int64(chatID) {
                try container.encode(number, forKey: .chatID)
            } else {
                try container.encode(chatID, forKey: .chatID)
            }
            try container.encode(text, forKey: .text)
            try container.encodeIfPresent(parseMode, forKey: .parseMode)
        }
    }

    /// The Bot API's answer envelope.
    struct Answer: Decodable {
        struct Message: Decodable { let message_id: Int }
        struct Parameters: Decodable { let retry_after: Int? }
        let ok: Bool
        let result: Message?
        let error_code: Int?
        let description: String?
        let parameters: Parameters?
    }
}
