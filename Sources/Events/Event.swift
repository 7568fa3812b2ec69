/// The envelope every producer emits and every worker consumes (SPEC §2).
///
/// Build one with `init` and check it with `validate()` before producing it, or get one from
/// `decode(json:)`, which accepts exactly what the JSON Schemas in `schemas/events/` accept.
public struct Event: Sendable, Hashable {
    /// The idempotency key: identifies the fact, not the delivery. 1...200 characters.
    public let id: String
    /// The school (tenant); every aggregate is per project.
    public let project: String
    public let source: String
    public let occurredAt: Instant
    /// `occurred_at` as the producer wrote it, kept so the event re-encodes byte-for-byte in that field.
    public let occurredAtText: String
    public let data: EventData

    public var type: EventType { data.type }

    /// - Parameter occurredAtText: the original text of `occurredAt`; when nil, the UTC form of `occurredAt` is used.
    ///   It must denote `occurredAt`, which `validate()` checks.
    public init(id: String, project: String, source: String, occurredAt: Instant, occurredAtText: String? = nil, data: EventData) {
        self.id = id
        self.project = project
        self.source = source
        self.occurredAt = occurredAt
        self.occurredAtText = occurredAtText ?? occurredAt.rfc3339String
        self.data = data
    }

    /// Throws the error `decode(json:)` would give for this event's JSON, so producers check an
    /// event they built by the same rules consumers apply.
    public func validate() throws(EventDecodingError) {
        let decoded = try Event.decode(json: encodeJSON())
        guard decoded.occurredAt == occurredAt else {
            throw EventDecodingError(field: "occurred_at", problem: "text \"\(occurredAtText)\" does not denote the instant \(occurredAt)")
        }
    }
}
