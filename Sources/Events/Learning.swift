/// A step of a student through a course (`type: learning`, SPEC §4.13).
public struct Learning: Sendable, Hashable {
    public var userID: String
    public var courseID: String
    /// The lesson; nil for a course-level event. A lesson is `(courseID, lessonID ?? "")`.
    public var lessonID: String?
    public var kind: LearningKind

    public init(userID: String, courseID: String, lessonID: String? = nil, kind: LearningKind) {
        self.userID = userID
        self.courseID = courseID
        self.lessonID = lessonID
        self.kind = kind
    }
}

/// What a student did: SPEC §2's five learning kinds.
public enum LearningKind: String, Sendable, Hashable, CaseIterable {
    case lessonOpened = "lesson_opened"
    case lessonCompleted = "lesson_completed"
    case homeworkSubmitted = "homework_submitted"
    case homeworkAccepted = "homework_accepted"
    case webinarAttended = "webinar_attended"
}
