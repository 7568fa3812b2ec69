import CRdKafka
import Logging

/// Owns an `rd_kafka_t` and the context its callbacks use; destroys the handle before the context goes away.
// @unchecked Sendable: rd_kafka_t is documented thread-safe for the calls we make from several threads
// (poll, produce, flush, purge); consumer-only calls are confined to one thread by KafkaConsumer.
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let context: RDKafkaClientContext
    /// Keeps an in-process mock cluster alive while this client may still talk to it.
    private let keepAlive: KafkaMockCluster?

    enum Kind {
        case producer, consumer
    }

    /// Installs the log callback and opaque, then creates the handle (which takes ownership of `config`).
    init(kind: Kind, config: RDKafkaConfig, context: RDKafkaClientContext, keepAlive: KafkaMockCluster? = nil) throws {
        self.context = context
        self.keepAlive = keepAlive
        try config.set("log.thread.name", "true")
        config.withPointer { conf in
            rd_kafka_conf_set_opaque(conf, context.opaque)
            rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        }
        var errstr = [CChar](repeating: 0, count: 512)
        let created = config.withPointer { conf in
            rd_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, &errstr, errstr.count)
        }
        guard let created else {
            // librdkafka's reason names the property ("ssl.ca.location failed: ...", "Unsupported SASL
            // mechanism: ..."); the error's description stays generic, so the operator learns it here.
            context.logger.error("librdkafka refused the client configuration", metadata: ["librdkafka": "\(String(errorBuffer: errstr))"])
            throw KafkaError(code: .invalidArgument, isRetriable: false, message: String(errorBuffer: errstr))
        }
        config.relinquish()
        self.handle = created
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    var name: String {
        String(cString: rd_kafka_name(handle))
    }
}
