import CRdKafka
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Owns a librdkafka mock cluster and the client hosting it (librdkafka runs a mock cluster inside an
/// `rd_kafka_t`); the cluster is destroyed first, then its host.
// @unchecked Sendable: the mock API calls only post commands to the mock cluster's own thread and are
// thread-safe; the handles are immutable after init.
final class RDKafkaMockCluster: @unchecked Sendable {
    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    let bootstrapServers: String

    init(brokers: Int, logger: Logger) throws {
        let config = RDKafkaConfig()
        // The host never connects anywhere itself; keep it quiet apart from its log lines.
        try config.set("client.id", "mock-cluster-host")
        host = try RDKafkaClient(kind: .producer, config: config, context: RDKafkaClientContext(logger: logger))
        // The cluster's thread inherits this thread's signal mask, and librdkafka does not block
        // signals for it (it does for its clients' threads): a signal handled on that thread
        // interrupts its poll(), and it stops serving on EINTR ("Mock cluster failed to poll ...:
        // Interrupted system call"), which crashed a test run. So it starts with every signal blocked.
        var everySignal = sigset_t()
        var previous = sigset_t()
        sigfillset(&everySignal)
        pthread_sigmask(SIG_SETMASK, &everySignal, &previous)
        let made = rd_kafka_mock_cluster_new(host.handle, Int32(brokers))
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard let created = made else {
            throw KafkaError(code: .failure, isRetriable: false, message: "rd_kafka_mock_cluster_new failed")
        }
        cluster = created
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(created))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// An existing topic is not an error.
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int16) throws {
        let result = rd_kafka_mock_topic_create(cluster, name, partitions, Int32(replicationFactor))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR || result == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
            throw KafkaError.from(result, topic: name)
        }
    }

    func setBrokerDown(_ brokerID: Int32) throws {
        let result = rd_kafka_mock_broker_set_down(cluster, brokerID)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result) }
    }

    func setBrokerUp(_ brokerID: Int32) throws {
        let result = rd_kafka_mock_broker_set_up(cluster, brokerID)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result) }
    }

    func pushRequestErrors(api: KafkaAPI, errors: [KafkaErrorCode]) {
        var codes = errors.map(\.cValue)
        rd_kafka_mock_push_request_errors_array(cluster, api.rawValue, codes.count, &codes)
    }

    func setBrokerRoundTripTime(_ brokerID: Int32, milliseconds: Int) throws {
        let result = rd_kafka_mock_broker_set_rtt(cluster, brokerID, Int32(milliseconds))
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError.from(result) }
    }
}
