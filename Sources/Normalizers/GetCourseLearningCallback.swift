import Events
import Foundation

/// Normalizes GetCourse «Вызвать URL» calls of learning processes (lesson opened or completed, homework submitted
/// or accepted, webinar attended) into `learning` events; each kind is a process of its own pointing at its own URL.
///
/// GetCourse documents no learning trigger for processes (INPUTS.md §15): schools fire them from user processes on
/// the conditions and groups their lessons and webinars set, so the call carries what the school templates:
/// - `user_id` (else `id`, `{object.id}` in a user process), required;
/// - `course_id` (else `training_id`, GetCourse's name for a training), required;
/// - `lesson_id` (else `webinar_id`, for attendance), optional: absent means a course-level event;
/// - `occurred_at` (else `created_at`), local time of the project's zone or RFC 3339; without it, the arrival time,
///   since the call fires as the step happens.
///
/// The id is `getcourse:<kind>:` and 32 hex digits of SHA-256 over user, course, lesson and time, so a call sent
/// twice is one fact however long the ids are (their four 100-character maximums would not fit 200 characters).
public struct GetCourseLearningCallback: Sendable {
    public static let source = GetCourseCallback.source

    public let context: ProjectContext

    public init(context: ProjectContext) {
        self.context = context
    }

    public func normalize(kind: LearningKind, query parameters: [String: String], receivedAt: Instant) throws(NormalizationError) -> Event {
        let query = QueryReader(parameters: parameters)
        let userID = try query.identifier(["user_id", "id"]).value
        let courseID = try query.identifier(["course_id", "training_id"]).value
        let lesson = try query.first(["lesson_id", "webinar_id"])
        let lessonID = try lesson.map { found throws(NormalizationError) in try IdentifierLimit.checked(found.value, field: found.key) }
        let occurredAt = try query.first(["occurred_at", "created_at"]).map { found throws(NormalizationError) in
            try TimeParsing.instant(found.value, field: found.key, timeZone: context.timeZone)
        } ?? receivedAt
        return try EventChecking.checked(Event(
            id: LearningID.make(prefix: "getcourse:\(kind.rawValue)", user: userID, course: courseID, lesson: lessonID, at: occurredAt),
            project: context.project, source: Self.source, occurredAt: occurredAt,
            data: .learning(Learning(userID: userID, courseID: courseID, lessonID: lessonID, kind: kind))))
    }
}

/// Derived ids of learning events: the sender's own ids and the time, hashed so that any lengths fit the envelope.
enum LearningID {
    static func make(prefix: String, user: String, course: String, lesson: String?, at instant: Instant) -> String {
        // NUL cannot occur in any part (normalizers refuse it), so the joined text is unambiguous.
        let key = [user, course, lesson ?? "", instant.rfc3339String].joined(separator: "\u{0}")
        return prefix + ":" + Digests.sha256Hex(key).prefix(32)
    }
}
