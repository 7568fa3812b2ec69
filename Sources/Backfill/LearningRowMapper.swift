import Events
import Foundation
import Normalizers

/// Maps rows of a learning history export (one row per step) to `learning` events, through the live GetCourse
/// learning callback, so a step already sent by a process call gets the same id and counts once.
///
/// GetCourse has no learning export (INPUTS.md §15), so the file is what a school assembles from lesson reports,
/// webinar attendance lists or another platform; titles are matched like the GetCourse exports' (case-insensitive,
/// trimmed, `ё` as `е`), the first alias present wins:
///
/// | parameter | columns |
/// |---|---|
/// | user_id | `user_id`, `ID пользователя`, `id` (required) |
/// | course_id | `course_id`, `training_id`, `ID тренинга`, `ID курса` (required) |
/// | lesson_id | `lesson_id`, `ID урока`, `webinar_id`, `ID вебинара` (empty: a course-level step) |
/// | kind | `kind`, `Событие` (required; SPEC's `lesson_opened`, `lesson_completed`, `homework_submitted`, `homework_accepted`, `webinar_attended`) |
/// | occurred_at | `occurred_at`, `Дата`, `created_at`, `Дата создания` (required; local time of the project's zone or RFC 3339) |
public struct LearningRowMapper: ExportRowMapper {
    public let header: [String]
    let callback: GetCourseLearningCallback
    let columns: [String: Int]

    static let specs: [(parameter: String, aliases: [String], required: Bool)] = [
        ("user_id", ["user_id", "id пользователя", "id"], true),
        ("course_id", ["course_id", "training_id", "id тренинга", "id курса"], true),
        ("lesson_id", ["lesson_id", "id урока", "webinar_id", "id вебинара"], false),
        ("kind", ["kind", "событие"], true),
        ("occurred_at", ["occurred_at", "дата", "created_at", "дата создания"], true),
    ]

    /// - Throws: `BackfillError.missingLearningColumns` naming the missing columns and the titles that would do.
    public init(header: [String], context: ProjectContext) throws(BackfillError) {
        self.header = header
        self.callback = GetCourseLearningCallback(context: context)
        let titles = header.map(GetCourseRowMapper.normalizedTitle)
        var columns: [String: Int] = [:]
        var missing: [String] = []
        for spec in Self.specs {
            if let index = spec.aliases.lazy.compactMap({ titles.firstIndex(of: $0) }).first {
                columns[spec.parameter] = index
            } else if spec.required {
                missing.append(spec.aliases.map { "«\($0)»" }.joined(separator: " or "))
            }
        }
        guard missing.isEmpty else { throw .missingLearningColumns(BackfillError.LearningHeader(missing: missing)) }
        self.columns = columns
    }

    public func events(cells: [String]) throws(BackfillError) -> [Event] {
        if cells.count > header.count, cells[header.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .row(BackfillError.Row(column: nil, problem: "has \(cells.count) cells but the header has \(header.count) columns (wrong --delimiter, or an unquoted delimiter in a cell?)"))
        }
        var query: [String: String] = [:]
        for (parameter, index) in columns where index < cells.count {
            let value = cells[index].trimmingCharacters(in: .whitespacesAndNewlines)
            query[parameter] = parameter == "occurred_at" ? ExportCells.date(value) : value
        }
        func title(_ parameter: String) -> String {
            columns[parameter].map { header[$0].trimmingCharacters(in: .whitespaces) } ?? parameter
        }
        let kindText = query.removeValue(forKey: "kind") ?? ""
        guard let kind = LearningKind(rawValue: kindText) else {
            let known = LearningKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .row(BackfillError.Row(column: title("kind"), problem: "must be one of \(known), got \(JSONStringLiteral.make(kindText))"))
        }
        // A history row has no arrival time: without a date it cannot be placed, so the date is required here.
        guard !(query["occurred_at"] ?? "").isEmpty else { throw .row(BackfillError.Row(column: title("occurred_at"), problem: "missing")) }
        let event: Event
        do {
            event = try callback.normalize(kind: kind, query: query, receivedAt: Instant(microsecondsSinceEpoch: 0))
        } catch {
            let parameter = error.field == "id" ? "user_id" : error.field == "training_id" ? "course_id" : error.field
            throw .row(BackfillError.Row(column: title(parameter), problem: error.problem))
        }
        return [Event(id: event.id, project: event.project, source: GetCourseRowMapper.source, occurredAt: event.occurredAt,
                      occurredAtText: event.occurredAtText, data: event.data)]
    }
}

extension BackfillError {
    /// A learning export whose header lacks columns the events need; nothing of it can be imported.
    public struct LearningHeader: Sendable, Hashable, CustomStringConvertible {
        public var missing: [String]
        public var description: String {
            "header: the learning export needs the column(s) \(missing.joined(separator: "; ")) (titles are matched case-insensitively)"
        }
    }
}
