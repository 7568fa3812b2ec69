import Foundation
import Hummingbird
import Logging
import PipelineTestSupport
import ServiceLifecycle

/// A stand-in for the Telegram Bot API on 127.0.0.1: it records every request and answers each with
/// the next scripted reply, in the Bot API's own shapes.
final class FakeTelegram: Sendable {
    /// One request as the server saw it.
    struct Recorded: Sendable {
        let method: String
        let path: String
        let contentType: String?
        let body: Data

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    /// A scripted reply: an HTTP status and a body.
    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let body: String
        let contentType: String

        /// `{"ok":true,"result":{...}}` with a sent message, as Telegram answers sendMessage.
        static func sent(messageID: Int) -> Reply {
            Reply(status: .ok, body: """
                {"ok":true,"result":{"message_id":\(messageID),"sender_chat":{"id":-100777,"title":"School","type":"channel"},\
                "chat":{"id":-100777,"title":"School","type":"channel"},"date":1773471600,"text":"…"}}
                """, contentType: "application/json")
        }

        /// Telegram's flood-control answer.
        static func tooManyRequests(retryAfter: Int) -> Reply {
            Reply(status: .tooManyRequests, body: """
                {"ok":false,"error_code":429,"description":"Too Many Requests: retry after \(retryAfter)","parameters":{"retry_after":\(retryAfter)}}
                """, contentType: "application/json")
        }

        static func error(_ code: Int, _ description: String) -> Reply {
            Reply(status: .init(code: code), body: #"{"ok":false,"error_code":\#(code),"description":"\#(description)"}"#,
                  contentType: "application/json")
        }

        /// What a proxy in front of the API says when the API is down: not the Bot API's JSON.
        static let badGateway = Reply(status: .badGateway, body: "<html><body>502 Bad Gateway</body></html>",
                                      contentType: "text/html")
    }

    private let state: Mutex
    let logger: Logger

    init(replies: [Reply]) {
        state = Mutex(replies: replies)
        var logger = Logger(label: "fake-telegram")
        logger.logLevel = .critical
        self.logger = logger
    }

    var requests: [Recorded] { state.requests }

    /// Serves until `body` returns; `body` gets the base URL to give the client (`http://127.0.0.1:<port>`).
    func serve<T: Sendable>(_ body: @Sendable (URL) async throws -> T) async throws -> T {
        let router = Router()
        let state = self.state
        router.post("/:bot/sendMessage") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let reply = state.record(Recorded(
                method: request.method.rawValue, path: request.uri.path,
                contentType: request.headers[.contentType], body: Data(buffer.readableBytesView)))
            return Response(status: reply.status, headers: [.contentType: reply.contentType],
                            body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        // Stopped by a graceful shutdown, not by cancelling its task: cancelling a server with a connection
        // open can deinit NIO's writer unfinished, which traps.
        let server = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        // Off the cooperative pool, which synchronous tests elsewhere may hold for minutes.
        return try await withTaskExecutorPreference(OffPoolExecutor.shared) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else {
                    await server.triggerGracefulShutdown()
                    throw CancellationError()
                }
                do {
                    let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
                    await server.triggerGracefulShutdown()
                    try await group.waitForAll()
                    return result
                } catch {
                    await server.triggerGracefulShutdown()
                    throw error
                }
            }
        }
    }

    /// The recorded requests and the replies left, behind a lock: handlers run concurrently.
    final class Mutex: @unchecked Sendable {
        // Safe: every access holds `lock`.
        private let lock = NSLock()
        private var replies: [Reply]
        private var recorded: [Recorded] = []

        init(replies: [Reply]) { self.replies = replies }

        func record(_ request: Recorded) -> Reply {
            lock.withLock {
                recorded.append(request)
                return replies.isEmpty ? .error(500, "Internal Server Error: no reply scripted") : replies.removeFirst()
            }
        }

        var requests: [Recorded] { lock.withLock { recorded } }
    }
}

/// Records the waits a client asked for instead of sleeping.
final class RecordingSleeper: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var recorded: [Duration] = []

    var waits: [Duration] { lock.withLock { recorded } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in lock.withLock { recorded.append(duration) } }
    }
}
