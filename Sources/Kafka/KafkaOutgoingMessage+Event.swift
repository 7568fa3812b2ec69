import Events

extension KafkaOutgoingMessage {
    /// The message of an event's record: its topic, key and JSON, no headers, partitioned by the key's hash.
    public init(_ record: EventRecord) {
        self.init(topic: record.topic, key: record.key, value: record.value)
    }

    /// The message of `event`, with the topic, key and bytes `EventRecord` chooses.
    public init(event: Event, topics: EventTopics) {
        self.init(EventRecord(event, topics: topics))
    }
}
