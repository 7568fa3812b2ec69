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

    @Test("dead letters and the applying thread's waits", arguments: [
        ("worker done: 59 batches, 1000000 messages, 970068 applied, 29932 duplicate ids, 0 already applied, 10 dead letters; waited 1.14 s for messages, 5.18 s for commits", 10, 1.14, 5.18),
        ("worker done: 1 batches, 3 messages, 0 applied, 3 duplicate ids, 0 already applied, 0 dead letters; waited 0.00 s for messages, 12.50 s for commits", 0, 0, 12.5),
    ])
    func waits(line: String, deadLetters: Int, messages: Double, commits: Double) {
        #expect(WorkerSummaryLine.deadLetters(in: line) == deadLetters)
        let waits = WorkerSummaryLine.waits(in: line)
        #expect(waits?.messages == messages)
        #expect(waits?.commits == commits)
    }

    @Test("no waits in a line without them (a worker before they were printed)")
    func noWaits() {
        #expect(WorkerSummaryLine.waits(in: "worker done: 1 batches, 3 messages, 0 applied, 3 duplicate ids, 0 already applied, 0 dead letters") == nil)
    }
}
