extension String {
    /// Reads a NUL-terminated error buffer filled in by librdkafka.
    init(errorBuffer: [CChar]) {
        self = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
