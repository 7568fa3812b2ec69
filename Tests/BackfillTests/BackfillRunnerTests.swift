import Events
import Foundation
import Testing
@testable import Backfill

/// Keeps delivered events in memory; fails the delivery number `failOn` (1-based) when set.
final class RecordingSink: EventSink, @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: [Event] = []
    private var deliveries = 0
    let failOn: Int?
    let inner: (any EventSink)?

    init(failOn: Int? = nil, forwardingTo inner: (any EventSink)? = nil) {
        self.failOn = failOn
        self.inner = inner
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "broker unreachable (test)" }
    }

    var events: [Event] { lock.withLock { stored } }

    func deliver(_ events: [Event]) async throws {
        let number = lock.withLock { deliveries += 1; return deliveries }
        if number == failOn { throw Refused() }
        try await inner?.deliver(events)
        lock.withLock { stored += events }
    }
}

/// Lines the runner printed, kept for assertions.
final class Lines: @unchecked Sendable {
    // @unchecked Sendable: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    var all: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

/// A temporary checkpoint path, unique per test.
func temporaryCheckpoint() -> CheckpointFile {
    CheckpointFile(path: FileManager.default.temporaryDirectory.appendingPathComponent("backfill-\(UUID().uuidString).json").path)
}

/// `count` new orders 1001…, one per row, created on successive minutes of 2026-02-01 (Moscow).
func generatedOrders(count: Int) -> String {
    var text = "ID заказа;ID пользователя;Статус;Стоимость, RUB;Дата создания\n"
    for index in 0..<count {
        let minute = index < 10 ? "0\(index)" : "\(index)"
        text += "\(1001 + index);\(5001 + index);new;\"1 000,50\";2026-02-01 10:\(minute):00\n"
    }
    return text
}

/// The ids `generatedOrders` must give, written from the rule: order id, status code, occurrence in UTC.
func generatedOrderIDs(count: Int) -> Set<String> {
    Set((0..<count).map { index in
        let minute = index < 10 ? "0\(index)" : "\(index)"
        return "getcourse:order:\(1001 + index):new:2026-02-01T07:\(minute):00Z"
    })
}

func ordersMapper(_ table: CSVExportTable) throws -> GetCourseRowMapper {
    try GetCourseRowMapper(kind: .orders, header: table.header, context: Support.context, decimalSeparator: .comma)
}

@Suite struct BackfillRunnerTests {
    @Test func badRowsAreReportedSkippedAndTheRestImported() async throws {
        let text = Support.ordersHeader + "\n" + [
            "1;;2;;;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;",
            "3;;4;;;;2026-01-15 09:00:00;;;;Архив;100;;;;;;;;;;;;;;;;;;;;",
            "\"5\";;6;;;;2026-01-15 09:00:00;;\"a\nb\";;new;12.50;;;;;;;;;;;;;;;;;;;;",
            "7;;8;;;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;",
        ].joined(separator: "\n")
        var table = try Support.table(text)
        let sink = RecordingSink()
        let reports = Lines()
        let checkpoint = temporaryCheckpoint()
        let runner = BackfillRunner(sink: sink, checkpointFile: checkpoint, batchRows: 2, report: reports.append)
        let outcome = try await runner.run(table: &table, mapper: ordersMapper(table), key: "orders:export.csv")
        #expect(outcome.rowsRead == 4)
        #expect(outcome.rowsRejected == 2)
        #expect(outcome.eventsDelivered == 2)
        #expect(sink.events.map(\.id) == ["getcourse:order:1:new:2026-01-15T06:00:00Z", "getcourse:order:7:new:2026-01-15T06:00:00Z"])
        #expect(reports.all.count == 2)
        #expect(reports.all[0].hasPrefix("export.csv line 3: column «Статус»: must be a GetCourse deal status"))
        // The bad row's quoted cell spans lines 4 and 5; it is named by the line it starts on.
        #expect(reports.all[1].hasPrefix("export.csv line 4: column «Стоимость, RUB»: has a '.' but the decimal separator is ','"))
        let stored = try checkpoint.load().entries["orders:export.csv"]
        #expect(stored?.rowsDone == 4)
        #expect(stored?.finished == true)
    }

    @Test func aCellThatIsNotUTF8IsRefusedNamingTheLineAndColumn() async throws {
        // Row 2's e-mail holds bytes no UTF-8 text has (FF FE FD, the bytes of `%FF%FE%FD`); rows 1 and 3 are fine.
        let good = "1;;2;;a@b.ru;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;"
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((Support.ordersHeader + "\n" + good + "\n3;;4;;x").utf8)
            + [0xFF, 0xFE, 0xFD] + Array(("@b.ru;;2026-01-15 09:00:00;;;;new;100;;;;;;;;;;;;;;;;;;;;\n"
                + good.replacingOccurrences(of: "1;;2;", with: "5;;6;") + "\n").utf8)
        var table = try CSVExportTable(name: "export.csv", bytes: bytes, format: CSVFormat())
        let sink = RecordingSink()
        let reports = Lines()
        let runner = BackfillRunner(sink: sink, checkpointFile: temporaryCheckpoint(), batchRows: 10, report: reports.append)
        let outcome = try await runner.run(table: &table, mapper: ordersMapper(table), key: "orders:export.csv")
        #expect(outcome.rowsRead == 3)
        #expect(outcome.rowsRejected == 1)
        #expect(reports.all == ["export.csv line 3: column «Email»: is not valid utf-8 text (wrong --encoding?)"])
        #expect(sink.events.map(\.id) == ["getcourse:order:1:new:2026-01-15T06:00:00Z", "getcourse:order:5:new:2026-01-15T06:00:00Z"])
    }

    @Test func unreadableTableKeepsTheRowsBeforeIt() async throws {
        let text = generatedOrders(count: 3) + "1004;5004;new;\"1 000,50;2026-02-01 10:03:00\n1005;5005;new;1;2026-02-01 10:04:00\n"
        var table = try Support.table(text)
        #expect(table.rowCount == 3, "the rows before the fault are counted")
        let sink = RecordingSink()
        let checkpoint = temporaryCheckpoint()
        let runner = BackfillRunner(sink: sink, checkpointFile: checkpoint, batchRows: 10)
        do {
            _ = try await runner.run(table: &table, mapper: ordersMapper(table), key: "k")
            Issue.record("an unclosed quote was accepted")
        } catch BackfillError.table(let error) {
            #expect(error.description == "export.csv: line 5: a quoted cell opened on this line is never closed (record of line 5)")
        }
        #expect(Set(sink.events.map(\.id)) == generatedOrderIDs(count: 3))
        #expect(try checkpoint.load().entries["k"]?.rowsDone == 3)
    }

    @Test func failedDeliveryLeavesTheCheckpointAtTheLastConfirmedBatch() async throws {
        var table = try Support.table(generatedOrders(count: 25))
        let checkpoint = temporaryCheckpoint()
        let failing = BackfillRunner(sink: RecordingSink(failOn: 3), checkpointFile: checkpoint, batchRows: 10)
        do {
            _ = try await failing.run(table: &table, mapper: ordersMapper(table), key: "k")
            Issue.record("a refused delivery went unnoticed")
        } catch BackfillError.delivery(let name, let rowsDone, let underlying) {
            #expect(name == "export.csv")
            #expect(rowsDone == 20)
            #expect(underlying == "broker unreachable (test)")
        }
        #expect(try checkpoint.load().entries["k"] == BackfillCheckpoint.Entry(identity: table.identity, rowsDone: 20))

        var again = try Support.table(generatedOrders(count: 25))
        let sink = RecordingSink()
        let outcome = try await BackfillRunner(sink: sink, checkpointFile: checkpoint, batchRows: 10)
            .run(table: &again, mapper: ordersMapper(again), key: "k")
        #expect(outcome.rowsResumed == 20)
        #expect(outcome.rowsRead == 5)
        #expect(Set(sink.events.map(\.id)) == generatedOrderIDs(count: 25).subtracting(generatedOrderIDs(count: 20)))
    }

    @Test func anAPIExportIsResumableUntilItsImportFinished() async throws {
        let checkpoint = temporaryCheckpoint()
        var table = APIExportTable(name: "deals export 42", exportID: 42, header: ["ID заказа", "ID пользователя", "Статус", "Стоимость", "Дата создания"],
                                   items: [["1", "2", "new", "5", "2026-01-16 10:00:00"], ["3", "4", "new", "5", "2026-01-16 10:00:00"]])
        let mapper = try GetCourseRowMapper(kind: .orders, header: table.header, context: Support.context, decimalSeparator: .point)
        await #expect(throws: BackfillError.self) {
            _ = try await BackfillRunner(sink: RecordingSink(failOn: 1), checkpointFile: checkpoint).run(table: &table, mapper: mapper, key: "api:orders", exportID: 42)
        }
        // Kafka refused the first batch, yet the export id is kept: a rerun reads export 42 again.
        #expect(try checkpoint.load().entries["api:orders"] == BackfillCheckpoint.Entry(identity: "export:42", rowsDone: 0, exportID: 42))
        #expect(try checkpoint.load().resumableExportID("api:orders") == 42)

        var again = APIExportTable(name: "deals export 42", exportID: 42, header: table.header, items: table.items)
        let sink = RecordingSink()
        let outcome = try await BackfillRunner(sink: sink, checkpointFile: checkpoint).run(table: &again, mapper: mapper, key: "api:orders", exportID: 42)
        #expect(outcome.rowsRead == 2)
        #expect(sink.events.map(\.id) == ["getcourse:order:1:new:2026-01-16T07:00:00Z", "getcourse:order:3:new:2026-01-16T07:00:00Z"])
        // Finished: the next run asks for a fresh export.
        #expect(try checkpoint.load().resumableExportID("api:orders") == nil)
    }

    @Test func aChangedFileIsImportedFromTheStart() async throws {
        let checkpoint = temporaryCheckpoint()
        var first = try Support.table(generatedOrders(count: 5))
        _ = try await BackfillRunner(sink: RecordingSink(), checkpointFile: checkpoint).run(table: &first, mapper: ordersMapper(first), key: "k")
        var again = try Support.table(generatedOrders(count: 5))
        let unchanged = try await BackfillRunner(sink: RecordingSink(), checkpointFile: checkpoint).run(table: &again, mapper: ordersMapper(again), key: "k")
        #expect(unchanged.rowsResumed == 5)
        #expect(unchanged.rowsRead == 0)

        var grown = try Support.table(generatedOrders(count: 7))
        let progress = Lines()
        let sink = RecordingSink()
        let outcome = try await BackfillRunner(sink: sink, checkpointFile: checkpoint, progress: progress.append)
            .run(table: &grown, mapper: ordersMapper(grown), key: "k")
        #expect(outcome.rowsRead == 7)
        #expect(Set(sink.events.map(\.id)) == generatedOrderIDs(count: 7))
        #expect(progress.all.first == "export.csv: not the table the checkpoint was written for; importing it from the start")
    }

    @Test func progressLinesFollowTheInjectedClock() async throws {
        final class Ticks: @unchecked Sendable {
            // @unchecked Sendable: every access goes through `lock`.
            private let lock = NSLock()
            private var time = 0.0
            func next() -> Double { lock.withLock { defer { time += 0.5 }; return time } }
        }
        let ticks = Ticks()
        var table = try Support.table(generatedOrders(count: 40))
        let progress = Lines()
        let runner = BackfillRunner(sink: RecordingSink(), checkpointFile: nil, batchRows: 10, progressInterval: 1, now: ticks.next, progress: progress.append)
        _ = try await runner.run(table: &table, mapper: ordersMapper(table), key: "k")
        // Clock reads: start 0; after batches 0.5 (no line), 1.0, 1.5 (no line), 2.0; final 2.5.
        #expect(progress.all == [
            "export.csv: 20/40 rows (50.0%), 20 rows/s, ETA 1s",
            "export.csv: 40/40 rows (100.0%), 20 rows/s, ETA 0s",
            "export.csv: 40/40 rows (100.0%), 16 rows/s, ETA 0s",
        ])
    }
}
