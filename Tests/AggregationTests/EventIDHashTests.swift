import Aggregation
import Testing

/// Event id hashes: SHA-256's first 16 bytes and their hex form.
@Suite("event id hashes")
struct EventIDHashTests {
    @Test("the first 16 bytes of SHA-256, in PostgreSQL's lower-case hex")
    func knownDigest() {
        // SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad (FIPS 180-2).
        let hash = EventIDHash(id: "abc")
        #expect(hash.description == "ba7816bf8f01cfea414140de5dae2223")
        #expect(EventIDHash(high: 1, low: 0xab).description == "0000000000000001" + "00000000000000ab")
    }

    @Test("hex of several hashes is their descriptions joined, and parses back; other text does not parse")
    func hexRoundTrip() {
        let hashes = ["abc", "", "e-1", "ünï"].map { EventIDHash(id: $0) } + [EventIDHash(high: 0, low: .max)]
        let text = EventIDHash.hex(hashes)
        #expect(text == hashes.map(\.description).joined())
        #expect(EventIDHash.parse(hex: text) == hashes)
        #expect(EventIDHash.hex([EventIDHash]()) == "")
        #expect(EventIDHash.parse(hex: "") == [])
        #expect(EventIDHash.parse(hex: String(text.dropLast())) == nil)
        #expect(EventIDHash.parse(hex: text.uppercased()) == nil)
        #expect(EventIDHash.parse(hex: String(repeating: "g", count: 32)) == nil)
    }
}
