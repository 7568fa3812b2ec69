import CRdKafka
import Logging

/// Routes librdkafka's log lines (syslog levels) into the caller's Logger; runs on librdkafka's internal threads.
func rdKafkaLogCallback(_ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ buffer: UnsafePointer<CChar>?) {
    guard let rk, let context = RDKafkaClientContext.from(rd_kafka_opaque(rk)) else { return }
    let swiftLevel: Logger.Level
    switch level {
    case ...2: swiftLevel = .critical
    case 3: swiftLevel = .error
    case 4: swiftLevel = .warning
    case 5: swiftLevel = .notice
    case 6: swiftLevel = .info
    default: swiftLevel = .debug
    }
    let message = buffer.map { String(cString: $0) } ?? ""
    context.logger.log(
        level: swiftLevel, "\(message)",
        metadata: [
            "rdkafka.facility": .string(facility.map { String(cString: $0) } ?? ""),
            "rdkafka.client": .string(String(cString: rd_kafka_name(rk))),
        ])
}
