import Events

/// A webinar (a lesson with attendance) and the purchases within 7 days after it (`bi.webinar_conversion`).
public struct WebinarRow: Sendable, Equatable {
    public var courseID: String
    public var lessonID: String
    /// Distinct users who attended.
    public var attendees: Int
    /// Attendees whose first accepted payment came after their first attendance and at most 7 × 24 h after it.
    public var buyers: Int
    /// Those payments, gross.
    public var revenue: DecimalNumber

    public init(courseID: String, lessonID: String, attendees: Int, buyers: Int, revenue: DecimalNumber) {
        self.courseID = courseID
        self.lessonID = lessonID
        self.attendees = attendees
        self.buyers = buyers
        self.revenue = revenue
    }

    /// buyers / attendees.
    public var conversion: Ratio? { Ratio(buyers, attendees) }
}
