import Aggregation
import SeededRandom
import Testing

/// The worker's entity tables: every answer must be what `Dictionary` gives for the same writes.
@Suite("dense table")
struct DenseTableTests {
    @Test("sets, replacements and merges agree with Dictionary through many growths", arguments: [1, 2, 3])
    func agreesWithDictionary(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var table = DenseTable<String, [Int]>()
        var reference: [String: [Int]] = [:]
        for step in 0..<40_000 {
            // Keys from a range about half the steps wide: about half the writes replace a value.
            let key = "k\(random.next() % 20_000)"
            if random.next() % 10 == 0 {
                // A merge of a few entries, some new and some replacing, as a batch's changes are.
                var batch: [String: [Int]] = [:]
                for offset in 0..<Int(random.next() % 6) { batch["k\(random.next() % 20_000)"] = [step, offset] }
                table.merge(batch)
                reference.merge(batch) { $1 }
            } else {
                table.set([step], for: key)
                reference[key] = [step]
            }
        }
        #expect(table.count == reference.count)
        #expect(!table.isEmpty)
        for (key, value) in reference { #expect(table[key] == value) }
        for absent in ["", "k20000", "k-1", "x1"] { #expect(table[absent] == nil) }
    }

    @Test("an empty table, and a value replaced keeps the count")
    func emptyAndReplaced() {
        var table = DenseTable<Int, String>()
        #expect(table.isEmpty)
        #expect(table.count == 0)
        #expect(table[0] == nil)
        table.set("a", for: 7)
        table.set("b", for: 7)
        table.set("c", for: 8)
        #expect(table.count == 2)
        #expect(table[7] == "b")
        #expect(table[8] == "c")
        table.merge([:])
        #expect(table.count == 2)
    }
}
