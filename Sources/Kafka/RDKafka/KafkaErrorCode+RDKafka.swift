import CRdKafka

// The librdkafka side of `KafkaErrorCode`: conversion to and from `rd_kafka_resp_err_t`, and the library's own texts.
extension KafkaErrorCode {
    init(_ code: rd_kafka_resp_err_t) {
        self.init(rawValue: Int32(truncatingIfNeeded: code.rawValue))
    }

    var cValue: rd_kafka_resp_err_t {
        rd_kafka_resp_err_t(rawValue: .init(truncatingIfNeeded: rawValue))
    }

    /// librdkafka's symbolic name, e.g. `_QUEUE_FULL` or `NOT_LEADER_FOR_PARTITION`.
    public var name: String {
        String(cString: rd_kafka_err2name(cValue))
    }

    /// librdkafka's short human-readable text for the code.
    public var text: String {
        String(cString: rd_kafka_err2str(cValue))
    }
}
