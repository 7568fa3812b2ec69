@testable import Bench
import Testing

/// The bench adds up the closing lines of the workers of a group.
@Suite("worker summary line")
struct WorkerSummaryLineTests {
    @Test("the applied count of a closing line", arguments: [
        ("worker done: 25 batches, 486801 messages, 472224 applied, 14577 duplicate ids, 0 already applied, 0 dead letters", 472224),
        ("worker done: 1 batches, 3 messages, 0 applied, 3 duplicate ids, 0 already applied, 0 dead letters", 0),
    ])
    func applied(line: String, expected: Int) {
        #expect(WorkerSummaryLine.applied(in: line) == expected)
    }

    @Test("no count where the line has none", arguments: ["", "worker done: 2 batches", "worker done: x applied, 0 dead letters"])
    func missing(line: String) {
        #expect(WorkerSummaryLine.applied(in: line) == nil)
    }
}
