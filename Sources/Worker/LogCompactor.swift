import Dispatch
import Logging
import Postgres
import Synchronization

/// Compacts the id logs (`SetLogs`) on a connection and a thread of its own, so that no batch waits
/// for it: inside the state log's snapshot transaction it held the applying thread for 1.7 s per
/// million events, a tenth of the run.
///
/// It may run beside the batches' transactions because a log only ever gains rows and every
/// reader takes it as a set: each log's rewrite is one statement that deletes the rows its snapshot
/// sees and inserts them again merged, so a row a batch appends meanwhile is neither deleted nor
/// waited for, and a reader sees the log before or after. Nor does it need the lease: what it
/// writes is what it deleted. A failed compaction changes nothing; the next request tries again.
final class LogCompactor: @unchecked Sendable {
    // Safe: `connection` is touched only by blocks on `queue` (one at a time); `running` is atomic.
    private let databaseURL: String
    private let schema: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "log-compaction")
    private let running = Atomic<Bool>(false)
    private var connection: PostgresConnection?

    init(databaseURL: String, schema: String, logger: Logger) {
        self.databaseURL = databaseURL
        self.schema = schema
        self.logger = logger
    }

    /// Starts a compaction unless one is running: the logs it leaves are compacted by the next one.
    func request() {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        queue.async {
            defer { self.running.store(false, ordering: .releasing) }
            let started = ContinuousClock.now
            do {
                let connection = try self.connection
                    ?? PostgresConnection(connectionString: self.databaseURL, logger: self.logger)
                self.connection = connection
                try SetLogs(schema: self.schema).compact(in: connection)
                self.logger.debug("id logs compacted", metadata: ["seconds": "\(started.duration(to: .now))"])
            } catch {
                self.logger.warning("id log compaction failed (retried after the next snapshot)", metadata: ["error": "\(error)"])
                self.connection?.close()
                self.connection = nil
            }
        }
    }

    /// Waits for a running compaction to end and closes the connection.
    func finish() {
        queue.sync {
            connection?.close()
            connection = nil
        }
    }
}
