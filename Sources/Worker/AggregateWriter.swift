import Aggregation
import Events
import Postgres

/// Adds computed increments to the aggregate tables: one statement per table and batch.
enum AggregateWriter {
    static func apply(_ counts: RegistrationDayCounts, in connection: PostgresConnection) throws {
        guard !counts.increments.isEmpty else { return }
        // Sorted keys: concurrent workers lock rows in one order and cannot deadlock.
        let rows = counts.increments.sorted { $0.key < $1.key }
        try connection.execute(
            """
            INSERT INTO pipeline.registrations_daily AS r (project, day, registrations)
            SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[])
            ON CONFLICT (project, day) DO UPDATE SET registrations = r.registrations + EXCLUDED.registrations
            """,
            [rows.map(\.key.project), rows.map { $0.key.day.description }, rows.map(\.value)])
    }
}
