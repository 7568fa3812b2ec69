import Bench
import Events
import Testing

@Suite("benchmark data set")
struct BenchEventsTests {
    static func envelopes(count: Int, users: Int, seed: UInt64 = 6) -> [BenchEvents.Envelope] {
        var generator = BenchEvents(settings: BenchEvents.Settings(count: count, users: users, seed: seed))
        var result: [BenchEvents.Envelope] = []
        while let envelope = generator.next() { result.append(envelope) }
        return result
    }

    @Test("exactly the requested number of envelopes, then nothing")
    func count() {
        #expect(Self.envelopes(count: 0, users: 5).isEmpty)
        #expect(Self.envelopes(count: 1, users: 5).count == 1)
        #expect(Self.envelopes(count: 3_000, users: 50).count == 3_000)
    }

    @Test("every envelope decodes, and its type and key are those the decoder and SPEC §2 give")
    func decodes() throws {
        for envelope in Self.envelopes(count: 5_000, users: 200) {
            let event = try Event.decode(json: Array(envelope.json.utf8))
            #expect(event.type == envelope.type)
            #expect(event.partitionKey == envelope.key)
        }
    }

    @Test("all nine types and the three projects appear; users stay within the requested number")
    func coverage() throws {
        var types = Set<EventType>()
        var projects = Set<String>()
        var users = Set<String>()
        for envelope in Self.envelopes(count: 5_000, users: 40) {
            let event = try Event.decode(json: Array(envelope.json.utf8))
            types.insert(event.type)
            projects.insert(event.project)
            if case .registration(let registration) = event.data { users.insert(registration.userID) }
        }
        #expect(types == Set(EventType.allCases))
        #expect(EventType.allCases.count == 9)
        #expect(projects == ["school-a", "school-b", "school-c"])
        #expect(users.count <= 40)
        #expect(users.count > 30)
    }

    @Test("a repeat is marked and is byte for byte an earlier envelope; a fresh one has a new id")
    func repeats() throws {
        var earlier: [String: String] = [:]
        var repeats = 0
        for envelope in Self.envelopes(count: 10_000, users: 100) {
            let id = try Event.decode(json: Array(envelope.json.utf8)).id
            if envelope.isRepeat {
                repeats += 1
                #expect(earlier[id] == envelope.json)
            } else {
                #expect(earlier[id] == nil)
                earlier[id] = envelope.json
            }
        }
        // 3 % of 10,000, give or take the randomness.
        #expect((200...400).contains(repeats))
    }

    @Test("the same seed gives the same stream; another seed another one")
    func reproducible() {
        let first = Self.envelopes(count: 500, users: 30).map(\.json)
        #expect(first == Self.envelopes(count: 500, users: 30).map(\.json))
        #expect(first != Self.envelopes(count: 500, users: 30, seed: 7).map(\.json))
    }
}
