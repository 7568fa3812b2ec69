import Events
import Foundation
import Kafka
import MetricsTestKit
import Pollers
import Testing

/// A network whose answers the test scripts: each fetch takes the next answer, the last one repeats.
final class ScriptedClient: AdNetworkClient, @unchecked Sendable {
    // @unchecked Sendable: `answers` and `asked` are only touched under `lock`.
    let source: String
    let network: String
    private let lock = NSLock()
    private var answers: [Result<[AdStats], PollError>]
    private var asked: [ClosedRange<LocalDate>] = []

    init(source: String, answers: [Result<[AdStats], PollError>]) {
        self.source = source
        self.network = source
        self.answers = answers
    }

    func fetchStatistics(days: ClosedRange<LocalDate>) async throws -> [AdStats] {
        let answer = lock.withLock {
            asked.append(days)
            return answers.count > 1 ? answers.removeFirst() : answers[0]
        }
        return try answer.get()
    }

    var requestedWindows: [ClosedRange<LocalDate>] { lock.withLock { asked } }
}

@Suite("ad-stats poller: ids, retries, metrics, isolation between networks")
struct AdStatsPollerTests {
    static func row(ad: String, clicks: Int64 = 12, cost: String = "123.45", network: String = "yandex_direct") -> AdStats {
        AdStats(
            network: network, accountID: "school-login", campaignID: "55", adID: ad, day: LocalDate("2026-03-01")!,
            impressions: 1000, clicks: clicks, cost: DecimalNumber(cost)!, currency: "RUB")
    }

    static let start = Instant("2026-03-02T09:00:00Z")

    func poller(_ client: ScriptedClient, kafka: KafkaFixture, clock: ManualPollerClock, metrics: TestMetrics, maxAttempts: Int = 5)
        -> AdNetworkPoller
    {
        AdNetworkPoller(
            client: client, schedule: .defaults(for: client.source), project: "school", topics: kafka.topics,
            producer: kafka.producer, clock: clock, backoff: BackoffPolicy(maxAttempts: maxAttempts), jitter: { 0.5 },
            metrics: PollerMetrics(sources: [client.source], factory: metrics), logger: pollerTestLogger())
    }

    @Test("re-polled unchanged figures keep their ids; a revision gets a new id with the later occurred_at")
    func ids() async throws {
        let kafka = try KafkaFixture()
        let client = ScriptedClient(source: "yandex_direct", answers: [
            .success([Self.row(ad: "777"), Self.row(ad: "778")]),
            .success([Self.row(ad: "777"), Self.row(ad: "778")]),
            .success([Self.row(ad: "777", clicks: 13, cost: "130"), Self.row(ad: "778")]),
        ])
        let clock = ManualPollerClock(now: Self.start)
        let metrics = TestMetrics()
        var poller = poller(client, kafka: kafka, clock: clock, metrics: metrics)
        for _ in 0..<3 {
            #expect(try await poller.poll() == .success(rows: 2))
            clock.advance(by: .seconds(3600))
        }
        // Direct's default window: today (Moscow: 12:00 on 2026-03-02) and the three days before.
        #expect(client.requestedWindows.first == LocalDate("2026-02-27")!...LocalDate("2026-03-02")!)

        let messages = try await kafka.messages(count: 6)
        #expect(messages.count == 6)
        #expect(messages.allSatisfy { $0.topic == "school.adstats" })
        #expect(messages.map(\.keyText) == Array(repeating: ["school:yandex_direct:777:2026-03-01", "school:yandex_direct:778:2026-03-01"], count: 3).flatMap { $0 })
        let events = messages.map(\.event)
        let a = "yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB"
        let b = "yandex_direct:school-login:55:778:2026-03-01:1000:12:123.45RUB"
        let revised = "yandex_direct:school-login:55:777:2026-03-01:1000:13:130RUB"
        #expect(events.map(\.id) == [a, b, a, b, revised, b])
        #expect(events.map(\.occurredAt) == [Self.start, Self.start, Self.start, Self.start,
                                              Self.start.advanced(byMicroseconds: 7_200_000_000), Self.start])
        #expect(events.allSatisfy { $0.project == "school" && $0.source == "yandex_direct" && $0.type == .adStats })
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "yandex_direct"), ("outcome", "success")]).totalValue == 3)
        #expect(try metrics.expectCounter(PollerMetrics.rows, [("source", "yandex_direct")]).totalValue == 6)
        // The last poll finished at 11:00Z: 1772449200 s.
        #expect(try metrics.expectGauge(PollerMetrics.lastSuccess, [("source", "yandex_direct")]).lastValue == 1_772_449_200)
    }

    @Test("the envelope on the wire is SPEC's ad_stats envelope")
    func envelope() async throws {
        let kafka = try KafkaFixture()
        let client = ScriptedClient(source: "yandex_direct", answers: [.success([Self.row(ad: "777")])])
        var poller = poller(client, kafka: kafka, clock: ManualPollerClock(now: Self.start), metrics: TestMetrics())
        _ = try await poller.poll()
        let message = try #require(try await kafka.messages(count: 1).first)
        #expect(String(decoding: message.value, as: UTF8.self) == """
            {"id":"yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB","type":"ad_stats","project":"school",\
            "source":"yandex_direct","occurred_at":"2026-03-02T09:00:00Z","data":{"network":"yandex_direct",\
            "account_id":"school-login","campaign_id":"55","ad_id":"777","day":"2026-03-01","impressions":1000,\
            "clicks":12,"cost":"123.45","currency":"RUB"}}
            """)
    }

    @Test("transient failures back off 3.75 s, 7.5 s (jitter 0.5); retryLater waits what the API asked")
    func backoff() async throws {
        let kafka = try KafkaFixture()
        let client = ScriptedClient(source: "vk_ads", answers: [
            .failure(.transient("HTTP 503")), .failure(.transient("HTTP 502")),
            .failure(.retryLater(after: .seconds(30), reason: "429")), .success([Self.row(ad: "1", network: "vk_ads")]),
        ])
        let clock = ManualPollerClock(now: Self.start)
        let metrics = TestMetrics()
        var poller = poller(client, kafka: kafka, clock: clock, metrics: metrics)
        #expect(try await poller.poll() == .success(rows: 1))
        #expect(clock.sleeps == [.milliseconds(3_750), .milliseconds(7_500), .seconds(30)])
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "vk_ads"), ("outcome", "failure")]).totalValue == 0)
    }

    @Test("after the last attempt the poll fails and counts a failure")
    func attemptsSpent() async throws {
        let kafka = try KafkaFixture()
        let client = ScriptedClient(source: "vk_ads", answers: [.failure(.transient("HTTP 503"))])
        let clock = ManualPollerClock(now: Self.start)
        let metrics = TestMetrics()
        var poller = poller(client, kafka: kafka, clock: clock, metrics: metrics, maxAttempts: 3)
        #expect(try await poller.poll() == .failure("transient: HTTP 503 (after 3 attempts)"))
        #expect(clock.sleeps == [.milliseconds(3_750), .milliseconds(7_500)])
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "vk_ads"), ("outcome", "failure")]).totalValue == 1)
        #expect(try metrics.expectGauge(PollerMetrics.lastSuccess, [("source", "vk_ads")]).lastValue == 0)
    }

    @Test("unauthorized and bad answers fail at once, without retrying", arguments: [
        PollError.unauthorized("token revoked"), .badResponse("$.items: must be an array"),
    ])
    func noRetry(error: PollError) async throws {
        let kafka = try KafkaFixture()
        let client = ScriptedClient(source: "vk_ads", answers: [.failure(error)])
        let clock = ManualPollerClock(now: Self.start)
        var poller = poller(client, kafka: kafka, clock: clock, metrics: TestMetrics())
        #expect(try await poller.poll() == .failure(error.description))
        #expect(clock.sleeps == [])
        #expect(client.requestedWindows.count == 1)
    }

    @Test("every series exists at zero before the first poll")
    func metricsAtZero() throws {
        let metrics = TestMetrics()
        _ = PollerMetrics(sources: ["yandex_direct", "cbr"], factory: metrics)
        for source in ["yandex_direct", "cbr"] {
            #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", source), ("outcome", "success")]).totalValue == 0)
            #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", source), ("outcome", "failure")]).totalValue == 0)
            #expect(try metrics.expectCounter(PollerMetrics.rows, [("source", source)]).totalValue == 0)
            #expect(try metrics.expectGauge(PollerMetrics.lastSuccess, [("source", source)]).lastValue == 0)
        }
    }

    @Test("a network that always fails does not stop another: the service keeps polling both every interval")
    func isolation() async throws {
        let kafka = try KafkaFixture()
        let metrics = TestMetrics()
        let broken = ScriptedClient(source: "vk_ads", answers: [.failure(.unauthorized("token revoked"))])
        let working = ScriptedClient(source: "yandex_direct", answers: [.success([Self.row(ad: "777")])])
        // Each loop polls, then waits its interval: three waits allowed, so four polls each, then the clock ends the loop.
        let brokenClock = ManualPollerClock(now: Self.start, sleepLimit: 3)
        let workingClock = ManualPollerClock(now: Self.start, sleepLimit: 3)
        let service = AdStatsPollerService(
            pollers: [poller(broken, kafka: kafka, clock: brokenClock, metrics: metrics),
                      poller(working, kafka: kafka, clock: workingClock, metrics: metrics)],
            logger: pollerTestLogger())
        try await service.run()
        #expect(broken.requestedWindows.count == 4)
        #expect(working.requestedWindows.count == 4)
        #expect(brokenClock.sleeps == Array(repeating: .seconds(3600), count: 3))
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "vk_ads"), ("outcome", "failure")]).totalValue == 4)
        #expect(try metrics.expectCounter(PollerMetrics.runs, [("source", "yandex_direct"), ("outcome", "success")]).totalValue == 4)
        #expect(try await kafka.messages(count: 4).count == 4)
    }
}
