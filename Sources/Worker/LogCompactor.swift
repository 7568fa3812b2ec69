import Dispatch
import Logging
import Postgres
import Synchronization

/// Compacts the id logs (`SetLogs`) and folds the logs of sums (`SummedLog`) on a connection and a
/// thread of its own, so that no batch waits for it: inside the state log's snapshot transaction
/// the compaction held the applying thread for 1.7 s per million events, a tenth of the run.
///
/// It may run beside the batches' transactions because a log only ever gains rows and every
/// reader groups it: each log's rewrite is one statement that deletes the rows its snapshot sees
/// and inserts them again merged (or adds their sums to the log's table), so a row a batch appends
/// meanwhile is neither deleted nor waited for, and a reader sees the figures of before or after,
/// which are equal. Nor does it need the lease: what it writes is what it deleted. A failed
/// compaction changes nothing; the next request tries again.
final class LogCompactor: @unchecked Sendable {
    // Safe: `connection` is touched only by blocks on `queue` (one at a time); `pending` is locked.
    private let databaseURL: String
    private let schema: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "log-compaction")
    /// What is requested and not started yet, and whether a block on `queue` is draining it.
    private let pending = Mutex<(idLogs: Bool, sums: Bool, draining: Bool)>((false, false, false))
    private var connection: PostgresConnection?

    init(databaseURL: String, schema: String, logger: Logger) {
        self.databaseURL = databaseURL
        self.schema = schema
        self.logger = logger
    }

    /// Compacts the id logs and folds the logs of sums, as asked: now, or after the running
    /// compaction (requests meanwhile are merged into one).
    func request(idLogs: Bool, sums: Bool) {
        let start = pending.withLock { pending in
            pending.sums = pending.sums || sums
            pending.idLogs = pending.idLogs || idLogs
            if pending.draining { return false }
            pending.draining = true
            return true
        }
        if start { queue.async { self.drain() } }
    }

    private func drain() {
        while let job = pending.withLock({ pending -> (idLogs: Bool, sums: Bool)? in
            guard pending.idLogs || pending.sums else {
                pending.draining = false
                return nil
            }
            defer { (pending.idLogs, pending.sums) = (false, false) }
            return (pending.idLogs, pending.sums)
        }) {
            let started = ContinuousClock.now
            do {
                let connection = try self.connection
                    ?? PostgresConnection(connectionString: databaseURL, logger: logger)
                self.connection = connection
                if job.idLogs { try SetLogs(schema: schema).compact(in: connection) }
                if job.sums { try SummedLog.foldAll(schema: schema, in: connection) }
                logger.debug("logs compacted", metadata: [
                    "id_logs": "\(job.idLogs)", "seconds": "\(started.duration(to: .now))"])
            } catch {
                logger.warning("log compaction failed (retried at the next request)", metadata: ["error": "\(error)"])
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
