import Foundation
import Logging
import Postgres

/// Ownership of a group's partitions: one worker at a time applies batches, the others stand by.
///
/// The owner holds a session advisory lock on a connection of its own: when its process dies, the
/// server drops the lock at once and a standby takes it. Taking the lease raises the group's epoch
/// in `worker_lease`, and every batch's transaction checks that epoch (`check`): an owner that lost
/// its lock (its connection was reset, the server restarted) or whose tables were swapped by a
/// rebuild cannot commit another batch once someone else took over, so two workers never apply the
/// same messages and an owner never writes from state that is not the tables'.
final class WorkerLease {
    let schema: String
    let groupID: String
    /// Who holds it, for the operator: host and process id.
    let owner: String
    private let connection: PostgresConnection
    private let logger: Logger
    /// The epoch this worker took, while it believes it owns the lease.
    private(set) var epoch: Int64?
    /// The server process of the lock's session: another one means the session was reset and the lock is gone.
    private var lockSession: Int32?

    init(connectionString: String, schema: String, groupID: String, logger: Logger) throws {
        self.schema = schema
        self.groupID = groupID
        self.logger = logger
        owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        connection = try PostgresConnection(connectionString: connectionString, logger: logger)
    }

    /// Waits as a standby until the lock is free, then takes the lease with a new epoch. Returns false
    /// if `shouldStop` said so first.
    func acquire(shouldStop: () -> Bool) throws -> Bool {
        epoch = nil
        var waiting = false
        while !shouldStop() {
            let taken = try connection.execute(
                "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)), pg_backend_pid()", [schema, groupID]).rows[0]
            if try taken.decode(0, as: Bool.self) {
                lockSession = try taken.decode(1, as: Int32.self)
                epoch = try connection.execute("""
                    INSERT INTO \(schema).worker_lease AS l (group_id, epoch, owner) VALUES ($1, 1, $2)
                    ON CONFLICT (group_id) DO UPDATE SET epoch = l.epoch + 1, owner = EXCLUDED.owner, taken_at = now()
                    RETURNING epoch
                    """, [groupID, owner]).rows[0].decode(0, as: Int64.self)
                logger.notice("lease taken: this worker owns the partitions", metadata: [
                    "group": "\(groupID)", "epoch": "\(epoch!)", "schema": "\(schema)"])
                return true
            }
            if !waiting {
                logger.info("standing by: another worker owns the partitions", metadata: ["group": "\(groupID)"])
                waiting = true
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// Inside a batch's transaction, after the offsets are locked (a rebuild's swap locks them first,
    /// so the table read here is the one the batch writes): throws `LeaseLost` unless this worker's
    /// epoch is still the group's. Holds the row shared, so a standby taking over waits for the batch.
    func check(in batch: PostgresConnection) throws {
        guard let epoch else { throw LeaseLost(reason: "not taken") }
        let rows = try batch.execute(
            "SELECT epoch FROM \(schema).worker_lease WHERE group_id = $1 FOR SHARE", [groupID]).rows
        guard let stored = try rows.first?.decode(0, as: Int64.self) else {
            throw LeaseLost(reason: "no lease row: the tables were swapped in by a rebuild")
        }
        guard stored == epoch else { throw LeaseLost(reason: "epoch \(stored) was taken by another worker (ours: \(epoch))") }
    }

    /// Whether the lock's session is still the one that took it (a reset session holds no lock);
    /// between batches, so a worker that lost the lock stops reading before its next commit fails.
    func stillHeld() throws -> Bool {
        guard epoch != nil, let lockSession else { return false }
        let session = try connection.execute("SELECT pg_backend_pid()").rows[0].decode(0, as: Int32.self)
        return session == lockSession
    }

    /// Lets go of the lock (a standby takes over at once); the epoch stays, for the next owner to raise.
    func release() {
        epoch = nil
        _ = try? connection.execute("SELECT pg_advisory_unlock_all()")
        connection.close()
    }
}

/// This worker no longer owns the partitions: it drops its state and stands by.
struct LeaseLost: Error, CustomStringConvertible {
    let reason: String
    var description: String { "lease lost: \(reason)" }
}
