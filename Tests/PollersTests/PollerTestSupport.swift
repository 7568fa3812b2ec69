import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Kafka
import Logging
import NIOCore
import PipelineTestSupport
import Pollers

/// Quiet by default; set POLLERS_TEST_LOG=debug to see the pollers' lines.
func pollerTestLogger(_ label: String = "pollers-tests") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["POLLERS_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

/// A clock the test owns: `sleep` never waits, it moves `now` forward and records the wait; after
/// `sleepLimit` sleeps it throws `CancellationError`, which is how a test ends a `run()` loop.
final class ManualPollerClock: PollerClock, @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var current: Instant
    private var recorded: [Duration] = []
    private let sleepLimit: Int

    init(now: Instant, sleepLimit: Int = .max) {
        current = now
        self.sleepLimit = sleepLimit
    }

    func now() -> Instant {
        lock.withLock { current }
    }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let allowed = lock.withLock {
            guard recorded.count < sleepLimit else { return false }
            recorded.append(duration)
            let (seconds, attoseconds) = duration.components
            current = current.advanced(byMicroseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
            return true
        }
        guard allowed else { throw CancellationError() }
        await Task.yield()
    }

    func setNow(_ instant: Instant) {
        lock.withLock { current = instant }
    }

    /// Every wait asked for so far, in order.
    var sleeps: [Duration] { lock.withLock { recorded } }
}

extension Instant {
    /// Test shorthand: `Instant("2026-03-02T09:00:00Z")`.
    init(_ text: String) {
        self.init(rfc3339: text)!
    }
}

/// What a fake API server saw.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    /// Header values under lowercased names.
    var headers: [String: String]
    var body: String

    /// A header's value, whatever the case of `name`.
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A fake outside API on 127.0.0.1: answers each request with `respond`, recording it.
final class FakeAPI: @unchecked Sendable {
    // @unchecked Sendable: `requests` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [RecordedRequest] = []
    private let respond: @Sendable (RecordedRequest, Int) -> HTTPResponseData

    /// - Parameter respond: gets the request and its 0-based number among all requests.
    init(respond: @escaping @Sendable (RecordedRequest, Int) -> HTTPResponseData) {
        self.respond = respond
    }

    var requests: [RecordedRequest] { lock.withLock { recorded } }

    /// Runs `body` with the base URL of a live server on a free port of 127.0.0.1.
    func serve<Value: Sendable>(_ body: @Sendable (URL) async throws -> Value) async throws -> Value {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { [self] request, _ -> Response in
                var request = request
                let buffer = try await request.collectBody(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
                var query: [String: String] = [:]
                for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
                let recordedRequest = RecordedRequest(
                    method: request.method.rawValue, path: request.uri.path, query: query, headers: headers,
                    body: String(buffer: buffer))
                let number = lock.withLock {
                    recorded.append(recordedRequest)
                    return recorded.count - 1
                }
                let answer = respond(recordedRequest, number)
                var fields = HTTPFields()
                for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
                return Response(
                    status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: pollerTestLogger())
        // Off the cooperative pool, which synchronous tests elsewhere may hold for minutes.
        return try await withTaskExecutorPreference(OffPoolExecutor.shared) {
            try await app.test(.live) { client in
                try await body(URL(string: "http://127.0.0.1:\(client.port!)")!)
            }
        }
    }
}

/// One mock Kafka cluster with the ad-stats topic, its producer, and a reader.
struct KafkaFixture {
    let cluster: KafkaMockCluster
    let producer: KafkaProducer
    let topics = EventTopics()

    init() throws {
        let logger = pollerTestLogger("pollers-kafka")
        cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        try cluster.createTopic(topics.adStats, partitions: 1)
        producer = try KafkaProducer(configuration: cluster.configuration(), logger: logger)
    }

    /// Every message in the ad-stats topic, read from the beginning until `count` arrived (or 20 s passed).
    func messages(count: Int) async throws -> [KafkaMessage] {
        let configuration = cluster.configuration()
        let topic = topics.adStats
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    let consumer = try KafkaConsumer(
                        configuration: configuration, groupID: "reader-\(UUID().uuidString)", rebalance: .fromBeginning,
                        logger: pollerTestLogger("pollers-kafka"))
                    defer { consumer.close() }
                    try consumer.subscribe(topics: [topic])
                    let clock = ContinuousClock()
                    // A deadline to fail by, left as soon as the messages are read; a new group's first
                    // join can take most of a minute under the whole suite on 2 cores.
                    let deadline = clock.now.advanced(by: .seconds(120))
                    var messages: [KafkaMessage] = []
                    while messages.count < count && clock.now < deadline {
                        messages += try consumer.pollBatch(maxMessages: 100, timeout: .milliseconds(200))
                    }
                    return messages
                })
            }.start()
        }
    }
}

extension KafkaMessage {
    var keyText: String { key.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    var event: Event { try! Event.decode(json: value) }
}

extension Array where Element == UInt8 {
    /// windows-1251 bytes of `text` (the inverse of the poller's table), for serving the bank's real encoding.
    static func cp1251(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar in
            if scalar.value < 0x80 { return UInt8(scalar.value) }
            switch scalar.value {
            case 0x0410...0x044F: return UInt8(scalar.value - 0x0410 + 0xC0)  // А...я
            case 0x0401: return 0xA8  // Ё
            case 0x0451: return 0xB8  // ё
            case 0x00A0: return 0xA0
            default: fatalError("no windows-1251 byte for U+\(String(scalar.value, radix: 16)) in this test helper")
            }
        }
    }
}

extension ManualPollerClock {
    /// Moves `now` forward without counting a sleep (time passing between polls in a test).
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        setNow(now().advanced(byMicroseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
    }
}
