import Logging
import PipelineTestSupport
import Postgres
import Testing

/// Transactions, server errors and their classification, scripts and notices.
@Suite struct PostgresTransactionTests {
    struct Boom: Error {}

    @Test func commitKeepsRowsAndRollbackOnThrowLeavesNone() throws {
        let connection = try connectToFreshDatabase("tx")
        try connection.execute("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)")

        let returned = try connection.transaction {
            #expect(connection.isInTransaction)
            try connection.execute("INSERT INTO items VALUES ($1, $2)", [1, "one"])
            try connection.execute("INSERT INTO items VALUES ($1, $2)", [2, "two"])
            return "done"
        }
        #expect(returned == "done")
        #expect(!connection.isInTransaction)

        #expect(throws: Boom.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO items VALUES ($1, $2)", [3, "three"])
                throw Boom()
            }
        }
        #expect(!connection.isInTransaction)
        let rows = try connection.execute("SELECT id, name FROM items ORDER BY id").rows
        #expect(rows.map { $0["id"] } == ["1", "2"])
        #expect(rows.map { $0["name"] } == ["one", "two"])
    }

    @Test func aSwallowedStatementErrorStillFailsTheTransaction() throws {
        let connection = try connectToFreshDatabase("txswallow")
        try connection.execute("CREATE TABLE items (id int PRIMARY KEY)")
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction {
                try connection.execute("INSERT INTO items VALUES ($1)", [1])
                _ = try? connection.execute("INSERT INTO items VALUES ($1)", [1])
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(try connection.execute("SELECT count(*) FROM items").rows[0][0] == "0")
        #expect(!connection.isInTransaction)
    }

    @Test func uniqueViolationAndSyntaxErrorCarrySQLState() throws {
        let connection = try connectToFreshDatabase("sqlstate")
        try connection.execute("CREATE TABLE users (email text PRIMARY KEY)")
        try connection.execute("INSERT INTO users VALUES ($1)", ["secret-value@example.com"])
        let duplicate = #expect(throws: PostgresError.self) {
            try connection.execute("INSERT INTO users VALUES ($1)", ["secret-value@example.com"])
        }
        #expect(duplicate?.code == .query)
        #expect(duplicate?.sqlState == "23505")
        #expect(duplicate?.isRetriable == false)
        #expect(duplicate?.description.contains("secret-value") == false)
        #expect(duplicate?.description.contains("23505") == true)
        #expect(duplicate?.debugDescription.contains("already exists") == true)
        #expect(duplicate?.debugDescription.contains("secret-value@example.com") == true)

        let syntax = #expect(throws: PostgresError.self) { try connection.execute("SELEC 1") }
        #expect(syntax?.code == .query)
        #expect(syntax?.sqlState == "42601")
        #expect(syntax?.isRetriable == false)
        // The session is still fine after errors.
        #expect(try connection.execute("SELECT count(*) FROM users").rows[0][0] == "1")
    }

    @Test func retriableClassification() throws {
        let connection = try connectToFreshDatabase("retriable")
        let serialization = #expect(throws: PostgresError.self) {
            try connection.executeScript("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$")
        }
        #expect(serialization?.sqlState == "40001")
        #expect(serialization?.isRetriable == true)
        let deadlock = #expect(throws: PostgresError.self) {
            try connection.executeScript("DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$")
        }
        #expect(deadlock?.isRetriable == true)
        let division = #expect(throws: PostgresError.self) { try connection.execute("SELECT 1 / $1::int", [0]) }
        #expect(division?.sqlState == "22012")
        #expect(division?.isRetriable == false)
    }

    @Test func scriptsRunSeveralStatementsAndNoticesReachTheLogger() throws {
        let records = CapturingLogHandler.Records()
        var logger = Logger(label: "capture") { _ in CapturingLogHandler(records: records) }
        logger.logLevel = .debug
        let connection = try connectToFreshDatabase("script", logger: logger)
        try connection.executeScript("""
            CREATE TABLE a (id int);
            CREATE TABLE b (id int);
            INSERT INTO a VALUES (1), (2);
            DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; END $$;
            """)
        #expect(try connection.execute("SELECT count(*) FROM a").rows[0][0] == "2")
        let notices = records.all.filter { $0.0 == .debug && $0.1 == "postgres notice" }
        #expect(notices.count == 1)
        #expect(notices.first?.2["notice"]?.description.contains("hello from plpgsql") == true)

        let multi = #expect(throws: PostgresError.self) { try connection.execute("SELECT 1; SELECT 2") }
        #expect(multi?.sqlState == "42601")
    }

    @Test func closedConnectionThrowsUsage() throws {
        let connection = try connectToFreshDatabase("closed")
        connection.close()
        let error = #expect(throws: PostgresError.self) { try connection.execute("SELECT 1") }
        #expect(error?.code == .usage)
    }
}
