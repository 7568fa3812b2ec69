import Foundation
import Logging

/// Collects log messages so tests can assert what reached the logger.
public struct CapturingLogHandler: LogHandler {
    // @unchecked Sendable: `items` is only touched under `lock`.
    public final class Records: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(Logger.Level, String, Logger.Metadata)] = []
        public init() {}
        public func append(_ item: (Logger.Level, String, Logger.Metadata)) {
            lock.lock(); defer { lock.unlock() }
            items.append(item)
        }
        public var all: [(Logger.Level, String, Logger.Metadata)] {
            lock.lock(); defer { lock.unlock() }
            return items
        }
    }

    public let records: Records
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(records: Records) { self.records = records }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        records.append((event.level, "\(event.message)", event.metadata ?? [:]))
    }
}
