import Foundation
import Synchronization
import Events
import Hummingbird
import HummingbirdTesting
import PipelineTestSupport
import Testing
@testable import Backfill

/// A test clock: sleeping advances time at once and is recorded (in seconds), so waits are asserted, never waited.
final class TestClock: WallClock {
    private let state = Mutex<(time: Int64, sleeps: [Double])>((0, []))

    var sleeps: [Double] { state.withLock { $0.sleeps } }

    func now() -> Instant { Instant(microsecondsSinceEpoch: state.withLock { $0.time }) }

    func sleep(for duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        state.withLock {
            $0.sleeps.append(Double(seconds) + Double(attoseconds) / 1e18)
            $0.time += seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        }
    }
}

/// GetCourse's Export API on 127.0.0.1, answering from a script: each path pops its next answer.
final class FakeGetCourse: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var scripts: [String: [(status: Int, body: String)]] = [:]
    private var log: [(path: String, query: [String: String])] = []

    static let key = "gc-api-k3y"

    func script(_ path: String, _ answers: [(Int, String)]) {
        lock.withLock { scripts[path, default: []] += answers.map { (status: $0.0, body: $0.1) } }
    }

    var requests: [(path: String, query: [String: String])] { lock.withLock { log } }

    func answer(path: String, query: [String: String]) -> (Int, String) {
        lock.withLock {
            log.append((path, query))
            guard query["key"] == Self.key else {
                return (200, #"{"success":false,"error_code":101,"error_message":"Неверный ключ"}"#)
            }
            guard var queue = scripts[path], !queue.isEmpty else {
                return (200, #"{"success":false,"error":true,"error_message":"Экспорт не найден"}"#)
            }
            let next = queue.removeFirst()
            scripts[path] = queue
            return (next.status, next.body)
        }
    }

    /// Runs `body` with the base URL of a live server on a free port of 127.0.0.1.
    func serve<Value: Sendable>(_ body: @Sendable (URL) async throws -> Value) async throws -> Value {
        let router = Router()
        let fake = self
        router.get("/pl/api/account/**") { request, _ -> Response in
            var query: [String: String] = [:]
            // PHP decodes names too: `created_at%5Bfrom%5D` is `created_at[from]` to GetCourse.
            for (name, value) in request.uri.queryParameters {
                query[String(name).removingPercentEncoding ?? String(name)] = String(value)
            }
            let (status, text) = fake.answer(path: request.uri.path, query: query)
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        // Off the cooperative pool, which synchronous tests elsewhere may hold for minutes.
        return try await withTaskExecutorPreference(OffPoolExecutor.shared) {
            try await app.test(.live) { client in
                try await body(URL(string: "http://127.0.0.1:\(client.port!)")!)
            }
        }
    }
}

@Suite struct ExportClientTests {
    static let created = #"{"success":true,"info":{"export_id":777}}"#
    static let notReady = #"{"success":false,"error_code":909,"error_message":"Файл еще не создан"}"#
    static let busy = #"{"success":false,"error_code":905,"error_message":"В данный момент уже выполняется задача экспорта"}"#
    static let ready = """
        {"success":true,"info":{"fields":["ID заказа","ID пользователя","Статус","Стоимость, RUB","Дата создания","Дата оплаты","Теги"],
         "items":[["871035642",512478330,"payed","14900.50","2026-01-15 09:00:00","2026-01-15 09:03:42",["тег1","тег2"]],
                  ["871035643",512478331,"new",4900,"2026-01-16 10:00:00",null,[]]]}}
        """

    func client(_ base: URL, clock: TestClock, budget: RequestBudget = RequestBudget(), key: String = FakeGetCourse.key) -> GetCourseExportClient {
        GetCourseExportClient(baseURL: base, key: key, clock: clock, budget: budget)
    }

    @Test func busyThenPendingThenReady() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/deals", [(200, Self.busy), (200, Self.created)])
        fake.script("/pl/api/account/exports/777", [(200, Self.notReady), (200, Self.notReady), (200, Self.ready)])
        let clock = TestClock()
        let table = try await fake.serve { base in
            try await client(base, clock: clock).export(kind: .orders, filters: [("created_at[from]", "2026-01-01"), ("status", "payed")])
        }
        #expect(table.name == "deals export 777")
        #expect(table.identity == "export:777")
        #expect(table.header == ["ID заказа", "ID пользователя", "Статус", "Стоимость, RUB", "Дата создания", "Дата оплаты", "Теги"])
        #expect(table.items == [
            ["871035642", "512478330", "payed", "14900.50", "2026-01-15 09:00:00", "2026-01-15 09:03:42", "тег1, тег2"],
            ["871035643", "512478331", "new", "4900", "2026-01-16 10:00:00", "", ""],
        ])
        // 905: create again after 5 minutes; 909: poll again after 30 s.
        #expect(await clock.sleeps == [300, 30, 30])
        let requests = fake.requests
        #expect(requests.map(\.path) == [
            "/pl/api/account/deals", "/pl/api/account/deals",
            "/pl/api/account/exports/777", "/pl/api/account/exports/777", "/pl/api/account/exports/777",
        ])
        #expect(requests[0].query == ["key": FakeGetCourse.key, "created_at[from]": "2026-01-01", "status": "payed"])
    }

    @Test func apiRowsMapLikeCSVRows() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/deals", [(200, Self.created)])
        fake.script("/pl/api/account/exports/777", [(200, Self.ready)])
        var table = try await fake.serve { base in
            try await client(base, clock: TestClock()).export(kind: .orders, filters: [])
        }
        let mapper = try GetCourseRowMapper(kind: .orders, header: table.header, context: Support.context, decimalSeparator: .point)
        var events: [Event] = []
        while let row = try table.nextRow() { events += try mapper.events(cells: row.cells) }
        #expect(events.map(\.id) == ["getcourse:order:871035642:payed:2026-01-15T06:03:42Z", "getcourse:order:871035643:new:2026-01-16T07:00:00Z"])
        // «Теги» arrives as a JSON array, joined with ", " and split again like a CSV cell; an empty array is no tags.
        let tags = events.map { event -> [String]? in
            guard case .order(let order) = event.data else { return ["not an order"] }
            return order.tags
        }
        #expect(tags == [["тег1", "тег2"], nil])
    }

    @Test func wrongKeyIsAnAPIErrorThatDoesNotQuoteTheKey() async throws {
        let fake = FakeGetCourse()
        let error = await #expect(throws: BackfillError.self) {
            try await fake.serve { base in
                _ = try await client(base, clock: TestClock(), key: "wrong-s3cret-key").export(kind: .users, filters: [])
            }
        }
        #expect(error == .exportAPI(.api(code: 101, message: "Неверный ключ")))
        #expect(!"\(String(describing: error))".contains("s3cret"))
    }

    @Test func httpErrorAndMalformedAnswers() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/users", [(502, "<html>Bad Gateway</html>")])
        fake.script("/pl/api/account/payments", [(200, "<html>maintenance</html>")])
        fake.script("/pl/api/account/deals", [(200, #"{"success":true,"info":{}}"#)])
        try await fake.serve { base in
            let client = client(base, clock: TestClock())
            await #expect(throws: BackfillError.exportAPI(.http(status: 502))) { _ = try await client.export(kind: .users, filters: []) }
            let html = await #expect(throws: BackfillError.self) { _ = try await client.export(kind: .payments, filters: []) }
            guard case .exportAPI(.malformed(let problem))? = html else { Issue.record("\(String(describing: html))"); return }
            #expect(problem.hasPrefix("not JSON (unexpected '<'"), "\(problem)")
            await #expect(throws: BackfillError.exportAPI(.malformed("info.export_id: missing or not an integer"))) {
                _ = try await client.export(kind: .orders, filters: [])
            }
        }
    }

    @Test func pendingTooLongGivesUp() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/users", [(200, Self.created)])
        fake.script("/pl/api/account/exports/777", Array(repeating: (200, Self.notReady), count: 10))
        let waits = {
            var waits = GetCourseExportClient.Waits()
            waits.maxExportWait = 35
            return waits
        }()
        let clock = TestClock()
        let client: @Sendable (URL) -> GetCourseExportClient = { base in GetCourseExportClient(baseURL: base, key: FakeGetCourse.key, clock: clock, waits: waits) }
        await #expect(throws: BackfillError.exportAPI(.gaveUp("export 777 still not ready (error_code 909) after 35 s"))) {
            try await fake.serve { base in _ = try await client(base).export(kind: .users, filters: []) }
        }
        // Polls at 0, 30 and 60 s; the last one is past the 35 s limit.
        #expect(await clock.sleeps == [30, 30])
    }

    @Test func resumedExportIsReadAgainNotCreated() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/exports/555", [(200, Self.ready)])
        let table = try await fake.serve { base in
            try await client(base, clock: TestClock()).export(kind: .orders, filters: [], exportID: 555)
        }
        #expect(table.identity == "export:555")
        #expect(fake.requests.map(\.path) == ["/pl/api/account/exports/555"])
    }

    @Test func expiredExportIsCreatedAnew() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/deals", [(200, Self.created)])
        fake.script("/pl/api/account/exports/777", [(200, Self.ready)])
        let table = try await fake.serve { base in
            try await client(base, clock: TestClock()).export(kind: .orders, filters: [], exportID: 555)
        }
        #expect(table.identity == "export:777")
        #expect(fake.requests.map(\.path) == ["/pl/api/account/exports/555", "/pl/api/account/deals", "/pl/api/account/exports/777"])
    }

    @Test func requestBudgetWaitsOutTheWindow() async throws {
        let fake = FakeGetCourse()
        fake.script("/pl/api/account/deals", [(200, Self.created)])
        fake.script("/pl/api/account/exports/777", [(200, Self.notReady), (200, Self.notReady), (200, Self.ready)])
        let clock = TestClock()
        // Three requests per 100 s: the fourth (third poll, at 60 s) waits until the first leaves the window at 100 s.
        _ = try await fake.serve { base in
            try await client(base, clock: clock, budget: RequestBudget(limit: 3, windowSeconds: 100)).export(kind: .orders, filters: [])
        }
        #expect(await clock.sleeps == [30, 30, 40])
    }
}

@Suite struct RequestBudgetTests {
    @Test func waitsForTheOldestRequestToLeaveTheWindow() async {
        let budget = RequestBudget(limit: 100, windowSeconds: 7200)
        for second in 0..<100 { await budget.record(at: Double(second)) }
        #expect(await budget.delay(at: 100) == 7100)
        #expect(await budget.delay(at: 7199) == 1)
        // At 7200 the request of second 0 is two hours old: one may go.
        #expect(await budget.delay(at: 7200) == 0)
    }
}
