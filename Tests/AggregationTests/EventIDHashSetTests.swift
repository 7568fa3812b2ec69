import Aggregation
import SeededRandom
import Testing

/// The applied ids' set: every answer must be what `Set<EventIDHash>` gives for the same inserts.
@Suite("event id hash set")
struct EventIDHashSetTests {
    @Test("inserts, repeats and lookups agree with Set, for hashes spread out and for hashes sharing their first bits",
          arguments: [0, 48, 60])
    func agreesWithSet(sharedTopBits: Int) {
        var random = SeededGenerator(seed: UInt64(sharedTopBits) + 1)
        let mask: UInt64 = sharedTopBits == 0 ? .max : .max >> UInt64(sharedTopBits)
        var drawn: [EventIDHash] = []
        for _ in 0..<60_000 {
            // A quarter repeat an earlier hash: those inserts must report false and change nothing.
            if !drawn.isEmpty, random.next() % 4 == 0 {
                drawn.append(drawn[Int(random.next() % UInt64(drawn.count))])
            } else {
                drawn.append(EventIDHash(high: random.next() & mask, low: random.next() % 5))
            }
        }
        var set = EventIDHashSet()
        var reference = Set<EventIDHash>()
        for hash in drawn {
            #expect(set.insert(hash) == reference.insert(hash).inserted)
        }
        #expect(set.count == reference.count)
        #expect(set.sorted == reference.sorted())
        for hash in drawn.prefix(5_000) { #expect(set.contains(hash)) }
        for _ in 0..<5_000 {
            let absent = EventIDHash(high: random.next() & mask, low: 5 + random.next() % 5)
            #expect(!set.contains(absent))
        }
    }

    @Test("the extremes and a reserved set")
    func extremesAndReserve() {
        var set = EventIDHashSet()
        set.reserveCapacity(200_000)
        let extremes = [EventIDHash(high: 0, low: 0), EventIDHash(high: .max, low: .max),
                        EventIDHash(high: 0, low: .max), EventIDHash(high: .max, low: 0)]
        #expect(!set.contains(extremes[0]))
        set.formUnion(extremes + extremes)
        #expect(set.count == 4)
        #expect(set.sorted == extremes.sorted())
        #expect(extremes.allSatisfy(set.contains))
        #expect(!set.contains(EventIDHash(high: 1, low: 0)))
        set.formUnion(["a", "b", "a"].map { EventIDHash(id: $0) })
        #expect(set.count == 6 && set.contains(EventIDHash(id: "b")) && !set.contains(EventIDHash(id: "c")))
    }
}
