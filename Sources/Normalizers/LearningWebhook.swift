import Crypto
import Events
import Foundation

/// Normalizes the signed JSON webhook that other learning and webinar platforms (or the school's own glue code
/// after a Bizon365 or MTS Link report) post, into `learning` events.
///
/// The body is one object or an array of objects:
/// `{"user_id", "course_id", "lesson_id"?, "kind", "occurred_at", "id"?, "source"?}`, `kind` one of SPEC §2's
/// five, `occurred_at` RFC 3339 (a zone-less local time is read in the project's zone), `source` the platform
/// (`webhook` when absent). The header `X-Signature-SHA256` carries the lower-case hex HMAC-SHA256 of the exact body
/// bytes under the project's learning secret (a `sha256=` prefix is allowed); a body is read only once it verifies.
/// The id is `<source>:<id>` when the sender gives one, else `<source>:<kind>:` and 32 hex digits of SHA-256 over
/// user, course, lesson and time, so a redelivery is the same fact.
public struct LearningWebhook: Sendable {
    /// The signature header, also the field named when it does not verify.
    public static let signatureHeader = "X-Signature-SHA256"
    public static let defaultSource = "webhook"

    public let context: ProjectContext
    let secret: String

    public init(context: ProjectContext, secret: String) {
        self.context = context
        self.secret = secret
    }

    public func normalize(body: [UInt8], signature: String) throws(NormalizationError) -> [Event] {
        var given = signature.trimmingCharacters(in: .whitespaces).lowercased()
        if given.hasPrefix("sha256=") { given.removeFirst("sha256=".count) }
        let expected = Digests.hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
        guard Digests.timingSafeEqual(Array(given.utf8), Array(expected.utf8)) else {
            throw NormalizationError(field: Self.signatureHeader, problem: "does not match the body")
        }
        let root = try JSONReader(parsing: body)
        switch root.value {
        case .array: return try root.elements().map { item throws(NormalizationError) in try event(item) }
        default: return [try event(root)]
        }
    }

    private func event(_ item: JSONReader) throws(NormalizationError) -> Event {
        _ = try item.object()
        let userID = try item.required("user_id").identifier()
        let courseID = try item.required("course_id").identifier()
        let lessonID = try item.optional("lesson_id")?.identifier()
        let kindField = try item.required("kind")
        let kindText = try kindField.string()
        guard let kind = LearningKind(rawValue: kindText) else {
            let known = LearningKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw NormalizationError(field: kindField.path, problem: "must be one of \(known), got \(quoted(kindText))")
        }
        let timeField = try item.required("occurred_at")
        let occurredAt = try TimeParsing.instant(try timeField.string(), field: timeField.path, timeZone: context.timeZone)
        let source = try self.source(item)
        let id: String
        if let given = try item.optional("id")?.identifier() {
            id = source + ":" + given
        } else {
            id = LearningID.make(prefix: "\(source):\(kind.rawValue)", user: userID, course: courseID, lesson: lessonID, at: occurredAt)
        }
        return try EventChecking.checked(Event(
            id: id, project: context.project, source: source, occurredAt: occurredAt,
            data: .learning(Learning(userID: userID, courseID: courseID, lessonID: lessonID, kind: kind))))
    }

    /// The platform's name, kept short and plain so that `<source>:<id>` fits the envelope's 200 characters.
    private func source(_ item: JSONReader) throws(NormalizationError) -> String {
        guard let field = try item.optional("source") else { return Self.defaultSource }
        let text = try field.string()
        guard (1...Self.maximumSourceLength).contains(text.utf8.count),
              text.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D })
        else {
            throw NormalizationError(field: field.path, problem: "must be 1 to \(Self.maximumSourceLength) of a-z, 0-9, _ and -, got \(quoted(text))")
        }
        return text
    }

    static let maximumSourceLength = 40
}
