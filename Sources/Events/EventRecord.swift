/// An event as a Kafka record (SPEC §2): the topic of its type, its partition key and its JSON envelope.
///
/// The one place where an event's topic, key and bytes are chosen: ingest, the pollers, the backfill,
/// `pipeline produce` and the benchmark all send what this gives (through `KafkaOutgoingMessage(_:)`),
/// so a change of key or topic rules is made here once. Events carry no Kafka headers; only the
/// worker's dead letters have them, and those are copies of records, not events.
public struct EventRecord: Sendable, Hashable {
    public var topic: String
    public var key: String
    public var value: [UInt8]

    /// The record of `event`: its type's topic, `partitionKey` and `encodeJSON()`.
    public init(_ event: Event, topics: EventTopics) {
        self.init(type: event.type, key: event.partitionKey, json: event.encodeJSON(), topics: topics)
    }

    /// The record of an envelope already written as JSON (the benchmark writes text directly, for speed);
    /// `key` must be what `Event.partitionKey` gives for it.
    public init(type: EventType, key: String, json: [UInt8], topics: EventTopics) {
        topic = topics.topic(for: type)
        self.key = key
        value = json
    }
}
