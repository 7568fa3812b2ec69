import Events

extension KafkaOutgoingMessage {
    /// The message of an event's record: its topic, key and JSON, no headers, partitioned by the key's hash.
    public init(_ record: EventRecord) {
        self.init(topic: record.topic, key: record.key, value: record.value)
    }

    /// The message of `event`, with the topic, key and bytes `EventRecord` chooses.
    ///
    /// Not optimized: Swift 6.3.1 crashes compiling it with -O (an ownership verifier error in
    /// CopyPropagation after inlining the event's type and key switches). It only calls `EventRecord`,
    /// which is optimized in its own module.
    @_optimize(none)
    public init(event: Event, topics: EventTopics) {
        self.init(EventRecord(event, topics: topics))
    }
}
