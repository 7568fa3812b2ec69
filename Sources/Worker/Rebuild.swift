import Foundation
import Logging
import Migrations
import Postgres

/// Recomputes every aggregate from the start of the topics into fresh tables, then swaps them
/// in: BI keeps reading the old figures until the swap's single transaction commits.
///
/// The fresh tables live in schema `pipeline_rebuild` and are filled by an ordinary worker of
/// a new consumer group. The swap renames the schemas, carries over the tables that are not
/// aggregates (migrations, currency rates), hands the rebuild's offsets to the live group, and
/// re-creates the views over the new tables. Live workers that were ahead of those offsets find
/// the gap on their next batch and re-read from there.
public struct Rebuild {
    /// Tables of schema `pipeline` that are inputs or bookkeeping, not derived from the topics.
    static let kept = ["schema_migrations", "fx_rates", "redrive_offsets", "access_grants"]
    static let rebuildSchema = "pipeline_rebuild"

    public let live: WorkerConfiguration
    public let migrator: Migrator
    let logger: Logger

    public init(live: WorkerConfiguration, migrator: Migrator, logger: Logger) {
        self.live = live
        self.migrator = migrator
        self.logger = logger
    }

    /// Rebuilds and swaps; `progress` is called after every batch with the messages read so
    /// far and the total to read.
    public func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> PipelineWorker.Summary {
        let connection = try PostgresConnection(connectionString: live.databaseURL, logger: logger)
        defer { connection.close() }
        try prepareSchema(connection)

        var configuration = live
        configuration.stateSchema = Self.rebuildSchema
        configuration.groupID = "\(live.groupID)-rebuild-\(Int(Date().timeIntervalSince1970))"
        configuration.untilCaughtUp = true
        let worker = PipelineWorker(configuration: configuration, logger: logger)
        let total = try worker.messagesToRead()
        let summary = try worker.run(afterBatch: { progress($0.messages, total) })

        // The swap takes exclusive locks on the views while BI queries hold shared ones in their own
        // order. It gives up on a lock it cannot get at once (lock_timeout, below) rather than wait
        // long enough for PostgreSQL to settle a deadlock, which could abort a BI query instead of
        // it: it rolled back whole, try again.
        var attempt = 0
        while true {
            do {
                try swap(connection, rebuildGroup: configuration.groupID)
                break
            } catch let error as PostgresError where (error.isRetriable || error.sqlState == "55P03") && attempt < 20 {
                attempt += 1
                logger.warning("swap failed, retrying", metadata: ["error": "\(error)", "attempt": "\(attempt)"])
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt))
            }
        }
        return summary
    }

    /// An empty copy of every aggregate and state table, with its keys, indexes and storage
    /// parameters (`LIKE` leaves out the fill factors that keep the worker's updates HOT).
    private func prepareSchema(_ connection: PostgresConnection) throws {
        try connection.executeScript("DROP SCHEMA IF EXISTS \(Self.rebuildSchema) CASCADE; CREATE SCHEMA \(Self.rebuildSchema);")
        let tables = try connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'pipeline' AND NOT (tablename = ANY($1::text[])) ORDER BY 1",
            [Self.kept]
        ).rows.map { try $0.decode(0, as: String.self) }
        for table in tables {
            let statement = try connection.execute(
                """
                SELECT format('CREATE TABLE %I.%I (LIKE pipeline.%I INCLUDING ALL)', $1::text, $2::text, $2::text)
                    || coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '')
                FROM pg_class c WHERE c.oid = format('pipeline.%I', $2::text)::regclass
                """,
                [Self.rebuildSchema, table]
            ).rows[0].decode(0, as: String.self)
            try connection.executeScript(statement)
        }
    }

    private func swap(_ connection: PostgresConnection, rebuildGroup: String) throws {
        let retired = "pipeline_retired_\(Int(Date().timeIntervalSince1970))"
        try connection.transaction {
            // Live workers wait here (they lock their offsets first in every batch).
            try connection.executeScript("LOCK TABLE pipeline.consumer_offsets IN EXCLUSIVE MODE")
            // From here on the locks are those BI queries hold (views and their tables): a BI query
            // waiting on the swap past deadlock_timeout (1 s) could be chosen as the deadlock's victim.
            try connection.executeScript("SET LOCAL lock_timeout = '200ms'")
            try connection.executeScript("""
                ALTER SCHEMA pipeline RENAME TO \(retired);
                ALTER SCHEMA \(Self.rebuildSchema) RENAME TO pipeline;
                """)
            for table in Self.kept {
                let exists = try connection.execute(
                    "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2", [retired, table]).rows.count == 1
                if exists { try connection.executeScript("ALTER TABLE \(retired).\(table) SET SCHEMA pipeline") }
            }
            try connection.execute("""
                INSERT INTO pipeline.consumer_offsets (group_id, topic, partition, next_offset)
                SELECT $1, topic, partition, next_offset FROM pipeline.consumer_offsets WHERE group_id = $2
                ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset
                """, [live.groupID, rebuildGroup])
            try migrator.applyViews(connection)
        }
        try connection.executeScript("DROP SCHEMA \(retired) CASCADE")
        logger.info("rebuilt tables swapped in", metadata: ["retired": "\(retired)"])
    }
}
