import Events
import Foundation
import Hummingbird
import Logging
import PipelineTestSupport
import Pollers
import ServiceLifecycle
import Synchronization

/// A request as the fake API saw it on the wire: query and form values percent-decoded, header names lowercased.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var body: String

    /// The body read as `application/x-www-form-urlencoded`.
    var form: [String: String] { RecordedRequest.decodeForm(body) }

    static func decodeForm(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            values[name] = value
        }
        return values
    }
}

/// What the fake API answers.
struct FakeAnswer: Sendable {
    var status: Int = 200
    var headers: [String: String] = [:]
    var body: String

    static func json(_ body: String, status: Int = 200, headers: [String: String] = [:]) -> FakeAnswer {
        FakeAnswer(status: status, headers: headers, body: body)
    }
}

/// A real HTTP server on 127.0.0.1 (port 0) that records every request and answers through `handler`,
/// which sees the request and the server's own base URL (for `paging.next` links).
final class FakeAPIServer: Sendable {
    private let recorded = Mutex<[RecordedRequest]>([])

    var requests: [RecordedRequest] { recorded.withLock { $0 } }

    /// Runs `body` while the server listens; the server stops when `body` returns or throws.
    static func run<T: Sendable>(
        handler: @escaping @Sendable (RecordedRequest, URL) async -> FakeAnswer,
        _ body: @Sendable (URL, FakeAPIServer) async throws -> T
    ) async throws -> T {
        let server = FakeAPIServer()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let baseURL = Mutex<URL?>(nil)
        var logger = Logger(label: "fake-api")
        logger.logLevel = .critical
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let recordedRequest = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path,
                query: RecordedRequest.decodeForm(request.uri.query ?? ""), headers: headers,
                body: String(buffer: bytes))
            server.recorded.withLock { $0.append(recordedRequest) }
            let answer = await handler(recordedRequest, baseURL.withLock { $0! })
            var fields: HTTPFields = [:]
            fields[.contentType] = "application/json"
            for (name, value) in answer.headers { fields[.init(name)!] = value }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger)
        // Stopped by a graceful shutdown, not by cancelling its task: cancelling a server with a connection
        // open can deinit NIO's writer unfinished, which traps.
        let serviceGroup = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        // Off the cooperative pool, which synchronous tests elsewhere may hold for minutes.
        return try await withTaskExecutorPreference(OffPoolExecutor.shared) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0 else {
                    await serviceGroup.triggerGracefulShutdown()
                    throw FakeServerError.noPort
                }
                let url = URL(string: "http://127.0.0.1:\(port)")!
                baseURL.withLock { $0 = url }
                do {
                    let result = try await body(url, server)
                    await serviceGroup.triggerGracefulShutdown()
                    try await group.waitForAll()
                    return result
                } catch {
                    await serviceGroup.triggerGracefulShutdown()
                    throw error
                }
            }
        }
    }

    enum FakeServerError: Error { case noPort }
}

/// A clock the test drives: `sleep` returns at once, advancing `now` and recording the duration.
final class ManualPollerClock: PollerClock {
    private let state = Mutex<(now: Int64, sleeps: [Duration])>((1_790_000_000_000_000, []))

    var sleeps: [Duration] { state.withLock { $0.sleeps } }

    func now() -> Instant {
        Instant(microsecondsSinceEpoch: state.withLock { $0.now })
    }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let (seconds, attoseconds) = duration.components
        state.withLock {
            $0.sleeps.append(duration)
            $0.now += seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        }
    }
}

func day(_ text: String) -> LocalDate { LocalDate(text)! }

func days(_ from: String, _ to: String) -> ClosedRange<LocalDate> { day(from)...day(to) }
