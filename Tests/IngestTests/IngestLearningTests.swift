import Crypto
import Events
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import Testing

/// Learning steps through the routes: GetCourse learning processes and the signed webhook land on `school.learning`
/// keyed by project and user; bad input is a 400 naming the field, a wrong signature a 403.
@Suite struct IngestLearningTests {
    static func sign(_ body: String, secret: String = IngestHarness.learningSecret) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static func digest(_ user: String, _ course: String, _ lesson: String, _ time: String) -> String {
        String(SHA256.hash(data: Array([user, course, lesson, time].joined(separator: "\u{0}").utf8))
            .map { String(format: "%02x", $0) }.joined().prefix(32))
    }

    @Test func learningProcessCallsAndTheWebhookLandOnTheLearningTopic() async throws {
        let harness = try IngestHarness()
        let body = #"[{"user_id":"512478330","course_id":"301","lesson_id":"web-12","kind":"webinar_attended","occurred_at":"2026-01-15T19:00:00+03:00","id":"v-1","source":"bizon365"}]"#
        let signature = HTTPFields.header("X-Signature-SHA256", Self.sign(body))
        try await harness.test { client in
            let uri = "/gc/school/learning/lesson_opened?secret=\(IngestHarness.secret)&id=512478330&training_id=301&lesson_id=3011&occurred_at=2026-01-15+09%3A00%3A00"
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":1}"#)
            }
            try await client.execute(uri: "/learning/school", method: .post, headers: signature, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(response.text == #"{"accepted":1}"#)
            }
        }
        #expect(try await IngestSuccessPathTests.landed(harness, atLeast: 2) == [
            "school.learning school:512478330 bizon365:v-1",
            "school.learning school:512478330 getcourse:lesson_opened:" + Self.digest("512478330", "301", "3011", "2026-01-15T06:00:00Z"),
        ])
    }

    @Test func refusalsNameTheFieldOrTheCredential() async throws {
        let harness = try IngestHarness()
        let body = #"{"user_id":"7","course_id":"301","kind":"lesson_passed","occurred_at":"2026-01-15T06:00:00Z"}"#
        try await harness.test { client in
            try await client.execute(uri: "/gc/school/learning/lesson_opened?secret=\(IngestHarness.secret)&id=7", method: .post) { response in
                #expect(response.status == .badRequest)
                #expect(response.text == #"{"error":"course_id: missing (expected course_id or training_id)"}"#)
            }
            try await client.execute(uri: "/gc/school/learning/lesson_passed?secret=\(IngestHarness.secret)&id=7&course_id=1", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/gc/school/learning/lesson_opened?secret=wrong&id=7&course_id=1", method: .get) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/learning/school", method: .post, headers: .header("X-Signature-SHA256", Self.sign(body)), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                #expect(response.text.contains(#"kind: must be one of lesson_opened"#), "\(response.text)")
            }
            try await client.execute(uri: "/learning/school", method: .post, headers: .header("X-Signature-SHA256", Self.sign(body, secret: "guess")), body: ByteBuffer(string: body)) { response in
                #expect(response.status == .forbidden)
                #expect(response.text == #"{"error":"X-Signature-SHA256: does not match the body"}"#)
            }
            try await client.execute(uri: "/learning/school", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.text == #"{"error":"X-Signature-SHA256 missing"}"#)
            }
        }
        let produced = try await harness.allMessages().values.reduce(0) { $0 + $1.count }
        #expect(produced == 0)
    }
}
