import CRdKafka

/// Owns an `rd_kafka_conf_t` until `rd_kafka_new` takes it over.
final class RDKafkaConfig {
    private var pointer: OpaquePointer?

    init() {
        pointer = rd_kafka_conf_new()
    }

    deinit {
        if let pointer { rd_kafka_conf_destroy(pointer) }
    }

    /// Throws a KafkaError naming the property when librdkafka rejects it (unknown name or invalid value).
    func set(_ name: String, _ value: String) throws {
        guard let pointer else { preconditionFailure("configuration already handed to librdkafka") }
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(pointer, name, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            throw KafkaError(
                code: .invalidArgument, isRetriable: false, property: name,
                message: String(errorBuffer: errstr))
        }
    }

    /// Sets our defaults, then the caller's bootstrap servers and pass-through properties, which win.
    func apply(defaults: [(String, String)], configuration: KafkaConfiguration) throws {
        for (name, value) in defaults { try set(name, value) }
        try set("bootstrap.servers", configuration.bootstrapServers)
        for (name, value) in configuration.properties.sorted(by: { $0.key < $1.key }) {
            try set(name, value)
        }
    }

    func withPointer<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        guard let pointer else { preconditionFailure("configuration already handed to librdkafka") }
        return try body(pointer)
    }

    /// rd_kafka_new owns the configuration on success, so we must not free it again.
    func relinquish() {
        pointer = nil
    }
}
