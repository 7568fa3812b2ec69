import Events

/// One lesson's first-time steps over a period (`bi.learning_daily` summed over the period's days).
public struct LessonRow: Sendable, Equatable {
    /// `''` for the course's events that name no lesson.
    public var lessonID: String
    /// Students whose first `lesson_opened` of the lesson fell in the period; likewise for the others.
    public var opened: Int
    public var completed: Int
    public var homeworkSubmitted: Int
    public var homeworkAccepted: Int
    public var attended: Int

    public init(lessonID: String, opened: Int, completed: Int, homeworkSubmitted: Int = 0, homeworkAccepted: Int = 0,
                attended: Int = 0) {
        self.lessonID = lessonID
        self.opened = opened
        self.completed = completed
        self.homeworkSubmitted = homeworkSubmitted
        self.homeworkAccepted = homeworkAccepted
        self.attended = attended
    }

    /// completed / opened: how many of the period's openers also completed in it.
    public var completionShare: Ratio? { Ratio(completed, opened) }
}
