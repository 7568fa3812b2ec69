import Events
import Foundation
import Normalizers
import Testing
@testable import Backfill

/// A learning history CSV: each row one step, with the live GetCourse learning call's id and `source: backfill`.
@Suite struct LearningMappingTests {
    static let csv = """
        ID пользователя;ID тренинга;ID урока;Событие;Дата
        512478330;301;3011;lesson_opened;2026-01-15 9:00:00
        512478330;301;;homework_accepted;2026-01-16T12:00:00+03:00
        512478330;301;3011;lesson_passed;2026-01-15 09:00:00
        ;301;3011;lesson_opened;2026-01-15 09:00:00
        512478330;301;3011;lesson_opened;
        """

    static func rows(_ text: String) throws -> [Result<[Event], BackfillError>] {
        var table = try Support.table(text)
        let mapper = try LearningRowMapper(header: table.header, context: Support.context)
        var results: [Result<[Event], BackfillError>] = []
        while let row = try table.nextRow() {
            results.append(Result { () throws(BackfillError) in try mapper.events(cells: row.cells) })
        }
        return results
    }

    static func digest(_ user: String, _ course: String, _ lesson: String, _ time: String) -> String {
        String(Support.sha256([user, course, lesson, time].joined(separator: "\u{0}")).prefix(32))
    }

    @Test func rowsBecomeLearningEventsWithTheLiveCallsIds() throws {
        let results = try Self.rows(Self.csv)
        #expect(results.count == 5)
        let opened = try #require(try results[0].get().first)
        #expect(opened.id == "getcourse:lesson_opened:" + Self.digest("512478330", "301", "3011", "2026-01-15T06:00:00Z"))
        #expect(opened.source == "backfill")
        #expect(opened.occurredAt == Support.instant("2026-01-15T09:00:00+03:00"))
        #expect(opened.data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: "3011", kind: .lessonOpened)))
        // The same step as a live process call: one id, so the history and the live call count once.
        let live = try GetCourseLearningCallback(context: Support.context).normalize(
            kind: .lessonOpened, query: ["user_id": "512478330", "course_id": "301", "lesson_id": "3011", "occurred_at": "2026-01-15 09:00:00"],
            receivedAt: Support.instant("2026-02-01T00:00:00Z"))
        #expect(live.id == opened.id)
        let accepted = try #require(try results[1].get().first)
        #expect(accepted.data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: nil, kind: .homeworkAccepted)))
    }

    @Test func badRowsNameTheColumn() throws {
        let results = try Self.rows(Self.csv)
        let known = "lesson_opened, lesson_completed, homework_submitted, homework_accepted, webinar_attended"
        #expect(throws: BackfillError.row(BackfillError.Row(column: "Событие", problem: #"must be one of \#(known), got "lesson_passed""#))) { try results[2].get() }
        #expect(throws: BackfillError.row(BackfillError.Row(column: "ID пользователя", problem: "missing (expected user_id or id)"))) { try results[3].get() }
        #expect(throws: BackfillError.row(BackfillError.Row(column: "Дата", problem: "missing"))) { try results[4].get() }
    }

    @Test func aHeaderWithoutTheNeededColumnsIsRefused() throws {
        let table = try Support.table("user_id;course_id;Дата\n1;2;2026-01-15 09:00:00\n")
        #expect(throws: BackfillError.missingLearningColumns(BackfillError.LearningHeader(missing: ["«kind» or «событие»"]))) {
            try LearningRowMapper(header: table.header, context: Support.context)
        }
    }

    @Test func theRunnerImportsALearningTable() async throws {
        var table = try Support.table(Self.csv)
        let sink = RecordingSink()
        let outcome = try await BackfillRunner(sink: sink, checkpointFile: nil)
            .run(table: &table, mapper: LearningRowMapper(header: table.header, context: Support.context), key: "learning:export.csv")
        #expect(outcome.rowsRead == 5)
        #expect(outcome.rowsRejected == 3)
        #expect(outcome.eventsDelivered == 2)
    }
}
