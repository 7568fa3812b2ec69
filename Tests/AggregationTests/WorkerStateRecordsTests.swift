import Aggregation
import Events
import Foundation
import Testing

@Suite("worker state records: the state log's text format")
struct WorkerStateRecordsTests {
    let alice = UserKey(project: "school-a", userID: "u1")
    let order = EntityKey(project: "school-a", id: "o1")

    @Test("a batch's deltas are written as the documented lines")
    func encodesLines() {
        let text = WorkerStateRecords.encode(
            userDaily: [(UserDayKey(user: alice, day: day("2026-03-01")),
                         LedgerMeasures(registrations: 1, orders: 2, paidOrders: 1, payments: 1, revenue: dec("1490.00"),
                                        refunds: dec("-10.5")))],
            orderEvents: [order: [OrderStatusEvent(stamp: EventStamp(at: Instant(microsecondsSinceEpoch: 1_772_000_000_000_001),
                                                                      id: "e1"), status: .paid)]])
        #expect(text == "L\tschool-a\tu1\t2026-03-01\t1\t2\t1\t1\t1490.00\t-10.5\n"
            + "O\tschool-a\to1\te1\t1772000000000001\tpaid\n")
    }

    @Test("deltas read back are summed per user and day; a day back at zero is dropped; order events append")
    func decodesAndSums() throws {
        var records = WorkerStateRecords()
        try records.decode("L\tschool-a\tu1\t2026-03-01\t1\t0\t0\t0\t0\t0\nL\tschool-a\tu1\t2026-03-02\t0\t1\t0\t0\t0\t0\n")
        try records.decode("L\tschool-a\tu1\t2026-03-01\t0\t0\t0\t1\t100.00\t0\nL\tschool-a\tu1\t2026-03-02\t0\t-1\t0\t0\t0\t0\n"
            + "O\tschool-a\to1\te1\t5\tnew\nO\tschool-a\to1\te2\t7\tpaid\n")
        #expect(records.ledgers.mapValues(\.byDay) == [alice: [day("2026-03-01"): LedgerMeasures(registrations: 1, payments: 1, revenue: dec("100"))]])
        #expect(records.orderEvents[order]?.map(\.stamp.id) == ["e1", "e2"])
        #expect(records.orderEvents[order]?.map(\.status) == [.new, .paid])
        #expect(records.recordCount == 3)
    }

    @Test("ids with tabs, newlines and backslashes survive the round trip")
    func escapes() throws {
        let odd = UserKey(project: "p\\q", userID: "tab\there\nnew\\line")
        var original = WorkerStateRecords()
        original.add(userDaily: [UserDayKey(user: odd, day: day("2026-01-31")): LedgerMeasures(registrations: 1)],
                     orderEvents: [EntityKey(project: "p", id: "o\t1"): [
                        OrderStatusEvent(stamp: EventStamp(at: Instant(microsecondsSinceEpoch: -3), id: "e\\n"), status: .cancelled)]])
        let text = original.encode()
        #expect(text.split(separator: "\n").count == 2)
        var read = WorkerStateRecords()
        try read.decode(text)
        #expect(read == original)
    }

    @Test("chunks of at most n lines, each whole lines, together the same text")
    func chunks() throws {
        var records = WorkerStateRecords()
        for index in 0..<5 {
            records.add(userDaily: [UserDayKey(user: UserKey(project: "p", userID: "u\(index)"), day: day("2026-03-01")):
                LedgerMeasures(registrations: 1)], orderEvents: [:])
        }
        records.add(userDaily: [:], orderEvents: [order: [
            OrderStatusEvent(stamp: EventStamp(at: Instant(microsecondsSinceEpoch: 1), id: "e1"), status: .new)]])
        var pieces: [(String, Int)] = []
        records.encode(linesPerChunk: 4) { pieces.append(($0, $1)) }
        #expect(pieces.map(\.1) == [4, 2])
        #expect(pieces.allSatisfy { $0.0.split(separator: "\n").count == $0.1 && $0.0.hasSuffix("\n") })
        var read = WorkerStateRecords()
        for piece in pieces { try read.decode(piece.0) }
        #expect(read == records)
        #expect(pieces.map(\.0).joined() == records.encode())
    }

    @Test("a bad line is refused naming its number and the field")
    func refusesBadLines() {
        var records = WorkerStateRecords()
        #expect(throws: WorkerStateRecordError(line: 2, problem: "day: not a date: 2026-13-01")) {
            try records.decode("O\tp\to\te\t1\tnew\nL\tp\tu\t2026-13-01\t1\t0\t0\t0\t0\t0\n")
        }
        #expect(throws: WorkerStateRecordError(line: 1, problem: "status: unknown: shipped")) {
            try records.decode("O\tp\to\te\t1\tshipped\n")
        }
        #expect(throws: WorkerStateRecordError(line: 1, problem: "a ledger line has 3 fields, not 10")) {
            try records.decode("L\tp\tu\n")
        }
        #expect(throws: WorkerStateRecordError(line: 1, problem: "unknown record kind X")) {
            try records.decode("X\n")
        }
    }
}
