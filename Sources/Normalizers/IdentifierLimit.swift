/// The longest identifier a normalizer takes from a sender, so an over-long one is refused under its own name
/// (`user_id: must be at most 100 characters`) rather than later as the derived event id, which the sender never sent.
///
/// 100 covers every real id (GetCourse's are 9-10 digits, SendGrid's `sg_event_id` at most 100) and keeps each derived
/// id within the envelope's 200 characters (`getcourse:order:<id>:<status>:<RFC 3339 time>` is at most 168).
enum IdentifierLimit {
    static let maximumLength = 100

    static func checked(_ text: String, field: String) throws(NormalizationError) -> String {
        let length = text.unicodeScalars.count
        guard length <= maximumLength else {
            throw NormalizationError(field: field, problem: "must be at most \(maximumLength) characters, got \(length)")
        }
        return text
    }
}
