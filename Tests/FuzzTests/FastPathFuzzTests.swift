import Events
import Testing
import Verification

/// The decoder's fast path (`EventScanner`) against the full decoder: whatever the fast path
/// accepts, the full decoder accepts as an equal event; and the shapes producers send do take it.
@Suite struct FastPathFuzzTests {
    /// Compares the two paths on one document; nil when they agree, else what differs.
    static func disagreement(_ input: [UInt8]) -> String? {
        guard let fast = Event.decodeFastPathOnly(json: input) else { return nil }
        let text = String(decoding: input, as: UTF8.self)
        do {
            let full = try Event.decodeThroughTree(json: input)
            if full != fast || full.encodeJSON() != fast.encodeJSON() {
                return "fast path read \(fast), the full decoder \(full), for \(text)"
            }
            return nil
        } catch {
            return "fast path accepted what the full decoder refuses (\(error)): \(text)"
        }
    }

    @Test func mutationsTheFastPathAcceptsDecodeTheSameTheFullWay() throws {
        let seeds = try EnvelopeFuzzTests.validSamples()
        var mutator = Mutator(seed: FuzzSettings.seed &+ 1)
        var fastAccepted = 0, fullAccepted = 0
        var failures: [String] = []
        for seed in seeds {
            for round in 0...(1_000 * FuzzSettings.scale) {
                let input = round == 0 ? seed : mutator.mutateJSON(seed)
                if Event.decodeFastPathOnly(json: input) != nil { fastAccepted += 1 }
                if (try? Event.decodeThroughTree(json: input)) != nil { fullAccepted += 1 }
                if let problem = Self.disagreement(input), failures.count < 5 { failures.append(problem) }
            }
        }
        print("fuzz fast path: seed=\(FuzzSettings.seed &+ 1) fast-accepted=\(fastAccepted) full-accepted=\(fullAccepted)")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // Both sides reached: mutations the fast path reads, and valid ones it leaves to the full way.
        #expect(fastAccepted > seeds.count)
        #expect(fullAccepted > fastAccepted)
    }

    @Test func generatedDeliveriesAndCanonicalEncodingsTakeTheFastPath() throws {
        var generator = RandomEvents(seed: 41)
        let data = generator.dataSet(count: 3_000)
        var missed: [String] = []
        for delivery in data.deliveries {
            let input = Array(delivery.utf8)
            let full = try Event.decodeThroughTree(json: input)
            for document in [input, full.encodeJSON()] {
                guard let fast = Event.decodeFastPathOnly(json: document) else {
                    if missed.count < 5 { missed.append(String(decoding: document, as: UTF8.self)) }
                    continue
                }
                #expect(fast == full && fast.encodeJSON() == full.encodeJSON())
            }
        }
        #expect(data.deliveries.count >= 3_000)
        #expect(missed.isEmpty, "left to the full decoder: \(missed.joined(separator: "\n"))")
    }
}
