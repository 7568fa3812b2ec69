import Events
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Ingest
import Kafka
import Testing

/// Faults under load: Kafka down mid-burst, a full producer queue, SIGTERM to the real binary. Each prints one
/// summary line; each checks that nothing answered 2xx is missing from Kafka and that every refusal is a 503 with
/// `Retry-After`, so the sender sends again.
@Suite struct IngestFaultTests {
    static func orderURI(_ id: Int, project: String = "school", secret: String = IngestHarness.secret) -> String {
        "/gc/\(project)/order?secret=\(secret)&" + IngestRouterTests.orderQuery.replacingOccurrences(of: "order_id=871035642", with: "order_id=\(id)")
    }

    /// Tally of answers, printed as the suite's summary line.
    struct Tally {
        var requests = 0, ok = 0, unavailable = 0, other = 0, unanswered = 0
        var unavailableWithoutRetryAfter = 0
        var acknowledged: Set<String> = []

        mutating func add(_ outcome: Outcome, key: String) {
            requests += 1
            switch outcome.status {
            case 200?, 302?: ok += 1; acknowledged.insert(key)
            case 503?: unavailable += 1; if outcome.retryAfter != "5" { unavailableWithoutRetryAfter += 1 }
            case nil: unanswered += 1
            default: other += 1
            }
        }

        func line(_ name: String, inKafka: Int) -> String {
            "ingest fault \(name): requests=\(requests) 2xx=\(ok) 503=\(unavailable) other=\(other)"
                + (unanswered > 0 ? " unanswered=\(unanswered)" : "") + " events-in-kafka=\(inKafka)"
        }
    }

    static func keys(_ messages: [KafkaMessage]) -> Set<String> {
        Set(messages.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } })
    }

    @Test func kafkaDownMidBurstAcknowledgesOnlyWhatIsInKafka() async throws {
        let harness = try IngestHarness(deliveryTimeoutMilliseconds: 1000)
        let requests = 150
        // Down for 100 launches of 20 ms each: longer than the delivery timeout, so some requests must time out.
        let (downAt, upAt) = (25, 125)
        let cluster = harness.cluster
        let tally = try await harness.test { client in
            try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
                for id in 1...requests {
                    if id == downAt { try cluster.setBrokerDown(1) }
                    if id == upAt { try cluster.setBrokerUp(1) }
                    group.addTask {
                        try await client.execute(uri: Self.orderURI(id), method: .get) { response in
                            (id, Outcome(status: Int(response.status.code), retryAfter: response.headers[.retryAfter]))
                        }
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                var tally = Tally()
                for try await (id, outcome) in group { tally.add(outcome, key: "school:\(id)") }
                return tally
            }
        }
        let inKafka = Self.keys(try await harness.messages(in: "school.orders", atLeast: tally.ok))
        print(tally.line("kafka-down-mid-burst", inKafka: inKafka.count))
        #expect(tally.other == 0 && tally.unanswered == 0)
        #expect(tally.unavailableWithoutRetryAfter == 0)
        #expect(tally.unavailable > 0, "the broker was down longer than the delivery timeout")
        #expect(tally.ok > 0)
        #expect(tally.acknowledged.isSubset(of: inKafka), "acknowledged but missing: \(tally.acknowledged.subtracting(inKafka).sorted())")
        // A message whose report timed out may still have reached the broker: present without a 2xx is allowed
        // (the sender's retry gives the same id); a 2xx without the event is not.
        #expect(inKafka.isSubset(of: Set((1...requests).map { "school:\($0)" })))

        // The senders retry their 503s: afterwards every request is in Kafka.
        let retried = try await harness.test { client in
            var pending = Set(1...requests).subtracting(tally.acknowledged.map { Int($0.dropFirst("school:".count))! })
            for _ in 0..<20 where !pending.isEmpty {
                let done = try await withThrowingTaskGroup(of: Int?.self) { group in
                    for id in pending {
                        group.addTask { try await client.execute(uri: Self.orderURI(id), method: .get) { $0.status == .ok ? id : nil } }
                    }
                    var done: Set<Int> = []
                    for try await id in group { if let id { done.insert(id) } }
                    return done
                }
                pending.subtract(done)
            }
            return pending
        }
        #expect(retried.isEmpty)
        let after = Self.keys(try await harness.messages(in: "school.orders", atLeast: requests))
        #expect(after == Set((1...requests).map { "school:\($0)" }))
    }

    @Test func aFullProducerQueueIs503NotABacklog() async throws {
        let capacity = 4
        let harness = try IngestHarness(
            deliveryTimeoutMilliseconds: 1000,
            producerProperties: ["queue.buffering.max.messages": String(capacity), "batch.num.messages": String(capacity)])
        try harness.cluster.setBrokerDown(1)
        let requests = 60
        let tally = try await harness.test { client in
            try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
                for id in 1...requests {
                    group.addTask {
                        try await client.execute(uri: Self.orderURI(id), method: .get) { response in
                            (id, Outcome(status: Int(response.status.code), retryAfter: response.headers[.retryAfter]))
                        }
                    }
                }
                var tally = Tally()
                for try await (id, outcome) in group { tally.add(outcome, key: "school:\(id)") }
                return tally
            }
        }
        try harness.cluster.setBrokerUp(1)
        // After the outage the queue drains and the server takes requests again.
        let recovered = try await harness.test { client in
            for _ in 0..<20 {
                let status = try await client.execute(uri: Self.orderURI(1000), method: .get) { $0.status }
                if status == .ok { return true }
            }
            return false
        }
        let inKafka = Self.keys(try await harness.messages(in: "school.orders", atLeast: 1))
        print(tally.line("producer-queue-full(capacity \(capacity))", inKafka: inKafka.subtracting(["school:1000"]).count))
        // Every request of the outage was refused at once or after the delivery timeout: none waits in an unbounded queue.
        #expect(tally.unavailable == requests)
        #expect(tally.unavailableWithoutRetryAfter == 0)
        #expect(recovered)
        #expect(inKafka.contains("school:1000"))
    }

    @Test func sigtermUnderLoadLosesNothingAcknowledged() async throws {
        let ingest = try IngestProcess()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = 20
        let session = URLSession(configuration: configuration)
        defer { session.invalidateAndCancel() }
        let requests = 300
        let terminateAfter = 100
        let base = ingest.baseURL
        let tally = await withTaskGroup(of: (Int, Outcome).self) { group in
            var tally = Tally()
            var next = 1
            var terminated = false
            while true {
                // Keep 16 requests in flight until all are launched.
                while next <= requests && next - tally.requests <= 16 {
                    var request = URLRequest(url: URL(string: base + Self.orderURI(next, project: IngestProcess.project, secret: IngestProcess.secret))!)
                    request.httpMethod = "POST"
                    let id = next
                    group.addTask { [request] in (id, await sendRequest(request, session: session)) }
                    next += 1
                }
                guard let (id, outcome) = await group.next() else { break }
                tally.add(outcome, key: "fuzz:\(id)")
                if tally.requests == terminateAfter && !terminated {
                    terminated = true
                    ingest.process.terminate()
                }
            }
            return tally
        }
        ingest.process.wait()
        let inKafka = Self.keys(try await ingest.messages(in: ["school.orders"], atLeast: tally.ok))
        print(tally.line("sigterm-under-load", inKafka: inKafka.count))
        #expect(ingest.process.wait().status == 0, "\(ingest.log.suffix(2000))")
        #expect(tally.other == 0)
        #expect(tally.unavailableWithoutRetryAfter == 0)
        #expect(tally.ok >= terminateAfter - 16, "requests answered before the signal were acknowledged")
        #expect(tally.acknowledged.isSubset(of: inKafka), "acknowledged but missing: \(tally.acknowledged.subtracting(inKafka).sorted())")
        #expect(inKafka.isSubset(of: Set((1...requests).map { "fuzz:\($0)" })))
        #expect(ingest.log.contains("producer flushed"))
    }
}
