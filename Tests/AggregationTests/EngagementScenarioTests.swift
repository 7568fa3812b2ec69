import Aggregation
import Events
import Testing

/// What identity and learning events change in a batch (SPEC §4.12–4.15), derived by hand.
@Suite("Engagement scenarios")
struct EngagementScenarioTests {
    @Test("an alias linked twice keeps its earliest link (ties the smaller id); a link adds no user and no day")
    func earliestLink() {
        let changes = Fixture.processor.process([
            identityEvent("i-b", user: "u2", alias: "tg:7", at: "2026-03-05T10:00:00Z"),
            identityEvent("i-c", user: "u3", alias: "tg:7", at: "2026-03-04T10:00:00Z"),
            identityEvent("i-a", user: "u1", alias: "tg:7", at: "2026-03-04T10:00:00Z"), // same instant as i-c, smaller id
            identityEvent("i-d", user: "u1", alias: "tg:8", at: "2026-03-09T10:00:00Z"),
        ], state: BatchState())
        #expect(changes.rejected.isEmpty)
        #expect(changes.aliasLinks == [
            user("tg:7"): AliasLink(userID: "u1", stamp: stamp("2026-03-04T10:00:00Z", "i-a")),
            user("tg:8"): AliasLink(userID: "u1", stamp: stamp("2026-03-09T10:00:00Z", "i-d")),
        ])
        // SPEC §4.15: identity events add no users and do not move the project's latest day.
        #expect(changes.usersSeen.isEmpty && changes.contacts.isEmpty)
        #expect(changes.lastDays.isEmpty)
        #expect(changes.funnel.isEmpty && changes.userDaily.isEmpty)
    }

    @Test("the first event of each kind per user and lesson, on its Moscow day; every learning event is activity")
    func learningFirsts() {
        let changes = Fixture.processor.process([
            learningEvent("l3", user: "u1", course: "c1", lesson: "L1", kind: "lesson_opened", at: "2026-03-02T10:00:00Z"),
            learningEvent("l1", user: "u1", course: "c1", lesson: "L1", kind: "lesson_opened", at: "2026-03-01T21:30:00Z"),
            learningEvent("l2", user: "u1", course: "c1", lesson: "L1", kind: "lesson_completed", at: "2026-03-31T21:30:00Z"),
            learningEvent("l4", user: "u1", course: "c1", kind: "webinar_attended", at: "2026-03-03T10:00:00Z"),
            learningEvent("l5", user: "u2", course: "c1", lesson: "L1", kind: "lesson_opened", at: "2026-03-01T10:00:00Z"),
        ], state: BatchState())
        func first(_ user: String, _ lesson: String, _ kind: LearningKind) -> FirstLearning? {
            changes.learningFirsts[LearningKey(user: UserKey(project: Fixture.project, userID: user), courseID: "c1",
                                               lessonID: lesson, kind: kind)]
        }
        #expect(changes.learningFirsts.count == 4)
        // l1 at 21:30Z on Mar 1 is 00:30 on Mar 2 in Moscow, and earlier than l3.
        #expect(first("u1", "L1", .lessonOpened) == FirstLearning(stamp: stamp("2026-03-01T21:30:00Z", "l1"),
                                                                  day: LocalDate("2026-03-02")!))
        #expect(first("u1", "L1", .lessonCompleted)?.day == LocalDate("2026-04-01")) // 00:30 Apr 1 in Moscow
        #expect(first("u1", "", .webinarAttended)?.stamp.id == "l4") // no lesson_id: lesson ''
        #expect(first("u2", "L1", .lessonOpened)?.stamp.id == "l5")
        #expect(changes.activityMonths == [
            ActivityMonthKey(user: user("u1"), month: LocalDate("2026-03-01")!, contact: false),
            ActivityMonthKey(user: user("u1"), month: LocalDate("2026-04-01")!, contact: false),
            ActivityMonthKey(user: user("u2"), month: LocalDate("2026-03-01")!, contact: false),
        ])
        #expect(changes.usersSeen.isEmpty && changes.contacts.isEmpty && changes.lastDays.isEmpty)
    }
}
