import Aggregation
import Foundation
import Kafka
import Logging
import Postgres

/// Applying one batch in one transaction: retried through passing failures, and split in halves to
/// isolate a message PostgreSQL refuses or to fit a batch PostgreSQL is short of locks for.
extension PipelineWorker {
    /// Applies a batch. If PostgreSQL refuses its data (a value out of range, a key too long for an
    /// index...), halves the batch until the message it refuses stands alone, and dead-letters
    /// that one: a single bad message must not stop the worker at every restart. If PostgreSQL
    /// runs short of shared memory or locks for it (SQLSTATE class 53: the lock table is shared by
    /// every session), applies it in halves, down to single messages retried until they pass.
    func applyIsolating(
        _ messages: [DecodedMessage], applier: BatchApplier, acceptedGaps: Set<OffsetGap.Position>,
        connection: PostgresConnection, publish: ([DeadLetter]) throws -> Void
    ) throws -> BatchApplier.Outcome {
        do {
            return try applyWithRetry(
                messages, applier: applier, acceptedGaps: acceptedGaps, connection: connection, publish: publish)
        } catch let error as PostgresError where Self.isRefusedData(error) || Self.isShortOfResources(error) {
            if Self.isRefusedData(error) {
                guard messages.count > 1 else {
                    logger.error("PostgreSQL refused a message", metadata: ["error": "\(error)"])
                    return try connection.transaction {
                        try applier.deadLetterAlone(
                            messages[0].message, reason: "PostgreSQL refused its data: \(error)", in: connection,
                            publish: publish)
                    }
                }
            } else {
                logger.warning("PostgreSQL is short of shared memory or locks for this batch: applying it in halves",
                               metadata: ["messages": "\(messages.count)", "error": "\(error)"])
            }
            let half = messages.count / 2
            var outcome = try applyIsolating(
                Array(messages[..<half]), applier: applier, acceptedGaps: acceptedGaps, connection: connection,
                publish: publish)
            outcome.add(try applyIsolating(
                Array(messages[half...]), applier: applier, acceptedGaps: acceptedGaps, connection: connection,
                publish: publish))
            return outcome
        }
    }

    /// Data exceptions (22xxx), program limits such as an index row too large (54xxx), and values
    /// libpq cannot send: errors of one message's content, not of the database.
    static func isRefusedData(_ error: PostgresError) -> Bool {
        if error.code == .usage { return true }
        guard error.code == .query, let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("54")
    }

    /// Insufficient resources (53xxx): out of shared memory for locks (53200, "You might need to
    /// increase max_locks_per_transaction"), disk full, a configured limit. A smaller transaction
    /// needs less; the same one may pass once other sessions let go.
    static func isShortOfResources(_ error: PostgresError) -> Bool {
        error.code == .query && error.sqlState?.hasPrefix("53") == true
    }

    /// Re-runs a batch whose transaction failed for a passing reason (serialization failure, dead
    /// letter topic unreachable, rates imported since they were read) with a growing pause. A broken
    /// connection throws `LeaseLost` instead: the owner reloads its state before going on.
    private func applyWithRetry(
        _ messages: [DecodedMessage], applier: BatchApplier, acceptedGaps: Set<OffsetGap.Position>,
        connection: PostgresConnection,
        publish: ([DeadLetter]) throws -> Void
    ) throws -> BatchApplier.Outcome {
        var pause = Duration.milliseconds(100)
        var ratesChecked = false
        while true {
            do {
                if rates == nil || ratesLoadedAt.duration(to: .now) > .seconds(30) { try reloadRates(connection) }
                let outcome = try connection.transaction {
                    try applier.apply(messages, rates: rates!, acceptedGaps: acceptedGaps, in: connection, publish: { letters in
                        // A missing rate may have been imported since the rates were read: read
                        // them again and redo the batch once before dead-lettering for it.
                        if !ratesChecked, letters.contains(where: { $0.reason.hasPrefix(BatchProcessor.missingRatePrefix) }) {
                            throw RatesMayBeStale()
                        }
                        try publish(letters)
                    })
                }
                applier.committed(outcome)
                do {
                    try applier.store.snapshotIfDue(lease: applier.lease, connection)
                } catch let error as PostgresError where error.code != .connection {
                    // The batch committed; the snapshot is tried again after the next one.
                    logger.warning("state log snapshot failed", metadata: ["error": "\(error)"])
                }
                return outcome
            } catch is RatesMayBeStale {
                ratesChecked = true
                try reloadRates(connection)
                continue
            } catch let error as PostgresError where error.code == .connection {
                // The connection broke inside the transaction, perhaps at COMMIT, whose outcome is then
                // unknown: the memory may now lag the tables. Reload both from the tables (and take
                // the lease again: a server restart dropped its lock too).
                throw LeaseLost(reason: "the database connection broke during a batch (\(error)): reloading the state")
            } catch let error as PostgresError
                where error.isRetriable || (Self.isShortOfResources(error) && messages.count == 1)
            {
                // A single message short of resources cannot be split further: other sessions hold them.
                logger.warning("batch failed, retrying", metadata: ["error": "\(error)", "pause": "\(pause)"])
            } catch let error as KafkaError where error.isRetriable {
                logger.warning("dead letters not delivered, retrying", metadata: ["error": "\(error)"])
            }
            Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
            pause = min(pause * 2, .seconds(5))
        }
    }

    private func reloadRates(_ connection: PostgresConnection) throws {
        rates = try FxRateStore().load(in: connection)
        ratesLoadedAt = .now
    }
}

/// Thrown inside a batch's transaction to roll it back and read the rates again.
private struct RatesMayBeStale: Error {}
