import CRdKafka

// The consumer's calls; like the consumer itself, used from one thread at a time.
extension RDKafkaClient {
    /// What one poll of the consumer queue gave.
    enum ConsumerPoll {
        case nothing
        case message(KafkaMessage)
        case partitionEOF
        case error(KafkaError)
    }

    /// One queue for messages, rebalances and errors, so everything is served by the consumer's polls.
    func routeEventsToConsumerQueue() {
        rd_kafka_poll_set_consumer(handle)
    }

    /// Joins the group for these topics (the assignment arrives through the rebalance callback).
    func subscribe(topics: [String]) throws {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(KafkaTopicPartition(topic: topic, partition: -1), offset: -1001)  // RD_KAFKA_PARTITION_UA, RD_KAFKA_OFFSET_INVALID
        }
        let result = rd_kafka_subscribe(handle, list.pointer)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(result, client: handle, topic: topics.joined(separator: ","))
        }
    }

    /// Adds partitions to the assignment at the given offsets, without any group (manual assignment).
    func incrementalAssign(_ offsets: [KafkaTopicPartition: Int64]) throws {
        let list = RDKafkaTopicPartitionList(capacity: offsets.count)
        for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) { list.add(partition, offset: offset) }
        if let error = rd_kafka_incremental_assign(handle, list.pointer) {
            throw KafkaError.consuming(error)
        }
    }

    /// Waits up to `milliseconds` (0: not at all) for the next message or event; callbacks run inside.
    func consumerPoll(milliseconds: Int32) -> ConsumerPoll {
        guard let polled = rd_kafka_consumer_poll(handle, milliseconds) else { return .nothing }
        defer { rd_kafka_message_destroy(polled) }
        let err = polled.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return .message(Self.message(from: polled)) }
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return .partitionEOF }
        return .error(KafkaError.from(
            err, client: handle,
            topic: polled.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) },
            partition: polled.pointee.partition,
            message: rd_kafka_message_errstr(polled).map { String(cString: $0) }))
    }

    /// Moves the fetch position of one assigned partition.
    func seek(_ partition: KafkaTopicPartition, to offset: Int64) throws {
        let list = RDKafkaTopicPartitionList(capacity: 1)
        list.add(partition, offset: offset)
        if let error = rd_kafka_seek_partitions(handle, list.pointer, 10_000) {
            throw KafkaError.consuming(error, topic: partition.topic)
        }
        if let (_, _, code) = RDKafkaTopicPartitionList.elements(of: list.pointer).first, code != .noError {
            throw KafkaError(code: code, topic: partition.topic, partition: partition.partition, message: "seek failed")
        }
    }

    /// Leaves the group, revoking the assignment through the rebalance callback; nil when that went well.
    func closeConsumer() -> KafkaError? {
        let result = rd_kafka_consumer_close(handle)
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.from(result)
    }

    private static func message(from polled: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaMessage {
        let raw = polled.pointee
        let value = raw.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.len)) } ?? []
        let key = raw.key.map { Array(UnsafeRawBufferPointer(start: $0, count: raw.key_len)) }
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(polled, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerValue = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: headerValue))
                index += 1
            }
        }
        return KafkaMessage(
            topic: raw.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
            partition: raw.partition, offset: raw.offset, key: key, value: value, headers: headers)
    }
}
