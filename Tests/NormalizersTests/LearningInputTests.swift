import Crypto
import Events
import Foundation
import Testing
@testable import Normalizers

/// Learning steps from GetCourse process calls and from the signed webhook of other platforms.
@Suite struct LearningInputTests {
    static let secret = "learn-s3cret"
    let callback = GetCourseLearningCallback(context: Fixtures.context)
    let webhook = LearningWebhook(context: Fixtures.context, secret: Self.secret)

    /// The id's hash as documented: SHA-256 of user, course, lesson and the RFC 3339 UTC time joined by NUL, first 32 hex digits.
    static func digest(_ user: String, _ course: String, _ lesson: String, _ time: String) -> String {
        String(Fixtures.sha256([user, course, lesson, time].joined(separator: "\u{0}")).prefix(32))
    }

    static func sign(_ body: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    // MARK: GetCourse process calls

    /// A process templated as `…/gc/<project>/learning/lesson_completed?secret=S&id={object.id}&training_id=…&lesson_id=…&occurred_at=…`.
    @Test func aLessonCompletedCall() throws {
        let query = Fixtures.query("secret=S&id=512478330&training_id=301&lesson_id=3011&occurred_at=2026-01-15+09%3A00%3A00")
        let event = try callback.normalize(kind: .lessonCompleted, query: query, receivedAt: Fixtures.receivedAt)
        #expect(event.id == "getcourse:lesson_completed:" + Self.digest("512478330", "301", "3011", "2026-01-15T06:00:00Z"))
        #expect(event.source == "getcourse")
        #expect(event.project == "school1")
        #expect(event.occurredAt == Fixtures.instant("2026-01-15T09:00:00+03:00"))
        #expect(event.data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: "3011", kind: .lessonCompleted)))
    }

    @Test func webinarAttendanceByWebinarIDAtTheArrivalTime() throws {
        let query = Fixtures.query("user_id=512478330&course_id=301&webinar_id=web-12&occurred_at=")
        let event = try callback.normalize(kind: .webinarAttended, query: query, receivedAt: Fixtures.receivedAt)
        #expect(event.occurredAt == Fixtures.receivedAt)
        #expect(event.id == "getcourse:webinar_attended:" + Self.digest("512478330", "301", "web-12", "2026-01-15T10:00:00Z"))
        #expect(event.data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: "web-12", kind: .webinarAttended)))
    }

    @Test func aCourseLevelStepHasNoLesson() throws {
        let query = Fixtures.query("user_id=512478330&course_id=301&created_at=2026-01-15T09%3A00%3A00%2B03%3A00")
        let event = try callback.normalize(kind: .homeworkAccepted, query: query, receivedAt: Fixtures.receivedAt)
        #expect(event.data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: nil, kind: .homeworkAccepted)))
        #expect(event.id == "getcourse:homework_accepted:" + Self.digest("512478330", "301", "", "2026-01-15T06:00:00Z"))
    }

    @Test(arguments: [
        ("course_id=301", "user_id", "missing (expected user_id or id)"),
        ("user_id=1", "course_id", "missing (expected course_id or training_id)"),
        ("user_id=1&course_id=301&occurred_at=yesterday", "occurred_at", #"must be a date and time such as "2026-01-15 09:00:00" or "2026-01-15T09:00:00+03:00", got "yesterday""#),
    ])
    func badCallsNameTheField(query: String, field: String, problem: String) {
        #expect(throws: NormalizationError(field: field, problem: problem)) {
            try callback.normalize(kind: .lessonOpened, query: Fixtures.query(query), receivedAt: Fixtures.receivedAt)
        }
    }

    // MARK: Signed webhook

    @Test func aSignedBatch() throws {
        let body = """
        [{"user_id":"512478330","course_id":301,"lesson_id":"web-12","kind":"webinar_attended","occurred_at":"2026-01-15T19:00:00+03:00","source":"bizon365"},
         {"user_id":512478330,"course_id":"301","kind":"homework_submitted","occurred_at":"2026-01-16 10:00:00","id":"hw-77"}]
        """
        let events = try webhook.normalize(body: Array(body.utf8), signature: Self.sign(body))
        #expect(events.count == 2)
        #expect(events[0].id == "bizon365:webinar_attended:" + Self.digest("512478330", "301", "web-12", "2026-01-15T16:00:00Z"))
        #expect(events[0].source == "bizon365")
        #expect(events[0].data == .learning(Learning(userID: "512478330", courseID: "301", lessonID: "web-12", kind: .webinarAttended)))
        #expect(events[1].id == "webhook:hw-77")
        #expect(events[1].source == "webhook")
        #expect(events[1].occurredAt == Fixtures.instant("2026-01-16T10:00:00+03:00"))
        #expect(events[1].data == .learning(Learning(userID: "512478330", courseID: "301", kind: .homeworkSubmitted)))
    }

    @Test func oneObjectAndThePrefixedSignature() throws {
        let body = #"{"user_id":"7","course_id":"301","lesson_id":"3011","kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z"}"#
        let events = try webhook.normalize(body: Array(body.utf8), signature: "sha256=" + Self.sign(body).uppercased())
        #expect(events.map(\.id) == ["webhook:lesson_opened:" + Self.digest("7", "301", "3011", "2026-01-15T06:00:00Z")])
    }

    @Test func aWrongSignatureIsRefusedBeforeTheBodyIsRead() {
        let body = #"not even JSON"#
        #expect(throws: NormalizationError(field: "X-Signature-SHA256", problem: "does not match the body")) {
            try webhook.normalize(body: Array(body.utf8), signature: Self.sign("another body"))
        }
        let other = LearningWebhook(context: Fixtures.context, secret: "another-secret")
        let signed = #"{"user_id":"7","course_id":"301","kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z"}"#
        #expect(throws: NormalizationError(field: "X-Signature-SHA256", problem: "does not match the body")) {
            try other.normalize(body: Array(signed.utf8), signature: Self.sign(signed))
        }
    }

    @Test(arguments: [
        (#"{"course_id":"301","kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z"}"#, "user_id", "missing"),
        (#"[{"user_id":"7","course_id":"301","kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z"},{"user_id":"7","course_id":"301","kind":"lesson_passed","occurred_at":"2026-01-15T06:00:00Z"}]"#,
         "$[1].kind", #"must be one of lesson_opened, lesson_completed, homework_submitted, homework_accepted, webinar_attended, got "lesson_passed""#),
        (#"{"user_id":"7","course_id":"301","kind":"lesson_opened"}"#, "occurred_at", "missing"),
        (#"{"user_id":"7","course_id":1.5,"kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z"}"#, "course_id", "must be a string or an integer id, got a fractional number"),
        (#"{"user_id":"7","course_id":"301","kind":"lesson_opened","occurred_at":"2026-01-15T06:00:00Z","source":"Bizon 365"}"#, "source", #"must be 1 to 40 of a-z, 0-9, _ and -, got "Bizon 365""#),
    ])
    func badBodiesNameTheField(body: String, field: String, problem: String) {
        #expect(throws: NormalizationError(field: field, problem: problem)) {
            try webhook.normalize(body: Array(body.utf8), signature: Self.sign(body))
        }
    }
}
