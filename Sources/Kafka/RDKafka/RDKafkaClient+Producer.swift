import CRdKafka

// The producer's calls: enqueue, flush, and the purge that fails what is left when a producer goes away.
extension RDKafkaClient {
    /// Hands one message to librdkafka, which copies the bytes; nil once it is queued.
    ///
    /// `opaque` comes back in the message's delivery report. When the message is refused (nil is not
    /// returned), librdkafka took ownership of nothing: the caller still owns what `opaque` points to.
    func produce(_ message: KafkaOutgoingMessage, opaque: UnsafeMutableRawPointer) -> KafkaError? {
        var headers: OpaquePointer?
        if !message.headers.isEmpty {
            headers = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                header.value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(headers, header.key, -1, bytes.baseAddress, bytes.count)
                }
            }
        }

        let error: OpaquePointer? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                withOptionalBytes(message.key) { key in
                    var vus: [rd_kafka_vu_t] = []
                    var vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_TOPIC
                    vu.u.cstr = topic
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_PARTITION
                    vu.u.i32 = message.partition ?? -1  // RD_KAFKA_PARTITION_UA: let the partitioner decide.
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    vu.u.i = Int32(RD_KAFKA_MSG_F_COPY)  // Our buffers die when this call returns.
                    vus.append(vu)

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_VALUE
                    vu.u.mem.ptr = value.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                    vu.u.mem.size = value.count
                    vus.append(vu)

                    if let key {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_KEY
                        vu.u.mem.ptr = key.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                        vu.u.mem.size = key.count
                        vus.append(vu)
                    }

                    if let headers {
                        vu = rd_kafka_vu_t()
                        vu.vtype = RD_KAFKA_VTYPE_HEADERS
                        vu.u.headers = headers
                        vus.append(vu)
                    }

                    vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                    vu.u.ptr = opaque
                    vus.append(vu)

                    return rd_kafka_produceva(handle, vus, vus.count)
                }
            }
        }

        guard let error else { return nil }
        // Not enqueued: librdkafka did not take the headers over.
        if let headers { rd_kafka_headers_destroy(headers) }
        return KafkaError.consuming(error, topic: message.topic)
    }

    /// Blocks until every queued message is delivered or failed, up to `timeout`.
    /// - Throws: a retriable `KafkaError` saying how much is still outstanding.
    func flush(timeout: Duration) throws {
        let result = rd_kafka_flush(handle, timeout.clampedMilliseconds)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                code: KafkaErrorCode(result), isRetriable: true,
                message: "\(rd_kafka_outq_len(handle)) messages or requests still outstanding")
        }
    }

    /// Fails every queued and in-flight message, then serves their delivery reports once without waiting.
    func purgeAll() {
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle, 0)
    }
}

/// Lends the bytes of an optional key, keeping nil (no key) distinct from an empty key.
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
