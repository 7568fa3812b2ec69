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
