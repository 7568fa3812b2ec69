import Foundation
import Logging
import PipelineTestSupport
import Postgres

/// Opens a connection to a brand-new database on the shared throwaway server, so tests never see each other's data.
func connectToFreshDatabase(_ prefix: String = "pgtest", logger: Logger = Logger(label: "postgres-tests")) throws
    -> PostgresConnection
{
    let url = try ThrowawayPostgres.shared.createDatabase(prefix: prefix)
    return try PostgresConnection(connectionString: url, logger: logger)
}

/// Collects log messages so tests can assert what reached the logger.
struct CapturingLogHandler: LogHandler {
    // @unchecked Sendable: `items` is only touched under `lock`.
    final class Records: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(Logger.Level, String, Logger.Metadata)] = []
        func append(_ item: (Logger.Level, String, Logger.Metadata)) {
            lock.lock(); defer { lock.unlock() }
            items.append(item)
        }
        var all: [(Logger.Level, String, Logger.Metadata)] {
            lock.lock(); defer { lock.unlock() }
            return items
        }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(records: Records) { self.records = records }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append((event.level, "\(event.message)", event.metadata ?? [:]))
    }
}
