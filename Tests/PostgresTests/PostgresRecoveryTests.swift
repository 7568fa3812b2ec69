import Logging
import PipelineTestSupport
import Postgres
import Testing

/// Recovery from a server restart and safe reporting of connection failures.
@Suite struct PostgresRecoveryTests {
    static let logger = Logger(label: "postgres-recovery-tests")

    @Test func statementOutsideTransactionSucceedsAfterRestart() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let connection = try PostgresConnection(connectionString: server.url, logger: Self.logger)
        #expect(try connection.execute("SELECT 1").rows[0][0] == "1")
        try server.restart()
        #expect(try connection.execute("SELECT $1::int + 1", [41]).rows[0][0] == "42")
        try server.restart()
        try connection.reconnect()
        #expect(try connection.execute("SELECT 'after reconnect'").rows[0][0] == "after reconnect")
    }

    @Test func transactionInterruptedByRestartThrowsRetriableAndNextTransactionWorks() throws {
        let server = try ThrowawayPostgres()
        defer { server.stop() }
        let connection = try PostgresConnection(connectionString: server.url, logger: Self.logger)
        try connection.execute("CREATE TABLE t (v int)")

        var statementsAfterBreak = 0
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO t VALUES ($1)", [1])
                try server.restart()
                // A body that swallows the failure must not continue outside the transaction.
                _ = try? connection.execute("INSERT INTO t VALUES ($1)", [2])
                statementsAfterBreak += 1
                try connection.execute("INSERT INTO t VALUES ($1)", [3])
            }
        }
        #expect(statementsAfterBreak == 1)
        #expect(error?.code == .connection)
        #expect(error?.isRetriable == true)
        #expect(!connection.isInTransaction)

        try connection.transaction {
            try connection.execute("INSERT INTO t VALUES ($1)", [4])
        }
        #expect(try connection.execute("SELECT v FROM t ORDER BY v").rows.map { $0[0] } == ["4"])
    }

    @Test func wrongPortThrowsConnectionErrorWithoutPassword() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(
                connectionString: "postgresql://postgres:s3cretpw@127.0.0.1:1/x", logger: Self.logger)
        }
        #expect(error?.code == .connection)
        #expect(error?.isRetriable == true)
        #expect(error?.sqlState == nil)
        #expect(error?.description == "PostgresError.connection: could not connect to the database")
        #expect(error?.description.contains("s3cretpw") == false)
        #expect(error?.debugDescription.contains("s3cretpw") == false)
        #expect(error?.debugDescription.contains("127.0.0.1") == true)
    }
}
