import Events

/// A course's progress (`bi.course_progress`, all time) with its lessons' steps in the report's period.
public struct CourseRow: Sendable, Equatable {
    public var courseID: String
    /// Users with any learning event of the course.
    public var students: Int
    /// Distinct lessons opened or completed by anyone.
    public var lessons: Int
    /// Students who completed every one of those lessons.
    public var completers: Int
    /// Students whose first accepted payment came strictly after their first step in the course.
    public var payersAfterStart: Int
    /// Those payments, gross.
    public var revenueAfterStart: DecimalNumber
    /// The lessons with a row in the period, in byte order of their ids.
    public var periodLessons: [LessonRow]

    public init(courseID: String, students: Int, lessons: Int, completers: Int, payersAfterStart: Int,
                revenueAfterStart: DecimalNumber, periodLessons: [LessonRow] = []) {
        self.courseID = courseID
        self.students = students
        self.lessons = lessons
        self.completers = completers
        self.payersAfterStart = payersAfterStart
        self.revenueAfterStart = revenueAfterStart
        self.periodLessons = periodLessons
    }

    /// completers / students, as SPEC §4.13's `completion_rate`.
    public var completionRate: Ratio? { Ratio(completers, students) }
}
