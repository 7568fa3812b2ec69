import CRdKafka

// The admin and metadata requests `KafkaAdmin` makes; each blocks up to its timeout.
extension RDKafkaClient {
    /// Sends one CreateTopics request and waits for its result; topics that already exist are not an error.
    func createTopics(_ topics: [KafkaTopicSpec], timeout: Duration) throws {
        let milliseconds = timeout.clampedMilliseconds
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer {
            for topic in newTopics { rd_kafka_NewTopic_destroy(topic) }
        }
        for spec in topics {
            guard let topic = rd_kafka_NewTopic_new(spec.name, spec.partitions, Int32(spec.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError(code: .invalidArgument, isRetriable: false, topic: spec.name, message: String(errorBuffer: errstr))
            }
            newTopics.append(topic)
        }

        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errstr, errstr.count)

        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)

        // The request itself times out after `milliseconds`; the margin lets its timeout event arrive.
        guard let event = rd_kafka_queue_poll(queue, milliseconds &+ 1000) else {
            throw KafkaError(code: .timedOut, isRetriable: true, message: "CreateTopics result did not arrive")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(eventError, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
            let results = rd_kafka_CreateTopics_result_topics(result, &count)
        else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let error = rd_kafka_topic_result_error(topicResult)
            if error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            throw KafkaError.from(
                error, topic: String(cString: rd_kafka_topic_result_name(topicResult)),
                message: rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) })
        }
    }

    /// Topic name → partition count, from a metadata request for every topic (topics in error left out).
    func partitionCounts(timeout: Duration) throws -> [String: Int32] {
        try partitionCounts(of: nil, timeout: timeout)
    }

    /// Topic name → partition count from a metadata request, for every topic (`topic` nil) or one topic handle's.
    /// - Throws: when the request fails; with a topic handle, also when that topic's entry carries an error.
    func partitionCounts(of topic: RDKafkaTopicHandle?, timeout: Duration) throws -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, topic == nil ? 1 : 0, topic?.pointer, &metadata, timeout.clampedMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError.from(result, client: handle, topic: topic?.name, message: "metadata request failed")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var topics: [String: Int32] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let entry = metadata.pointee.topics[index]
            let name = String(cString: entry.topic)
            if let topic {
                guard name == topic.name else { continue }
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(entry.err, topic: topic.name) }
            } else {
                guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            }
            topics[name] = entry.partition_cnt
        }
        return topics
    }

    /// The partition's low (first kept) and high (next to be written) offsets, asked of the leader.
    func watermarks(topic: String, partition: Int32, timeout: Duration) throws -> (low: Int64, high: Int64) {
        var low: Int64 = -1
        var high: Int64 = -1
        let result = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeout.clampedMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.from(result, client: handle, topic: topic, partition: partition)
        }
        return (low, high)
    }
}
