import Foundation
import Postgres
import Testing

/// `overlapping`: statements sent without waiting, answered in order, the first failure thrown and
/// the transaction rolled back, and the connection usable afterwards.
@Suite struct PostgresOverlappedTests {
    @Test func statementsRunInOrderInsideTheTransaction() throws {
        let connection = try connectToFreshDatabase("overlap_order")
        try connection.execute("CREATE TABLE steps (n int8 PRIMARY KEY, seen int8 NOT NULL)")
        try connection.transaction {
            try connection.overlapping { statements in
                for n in 1...5 {
                    // Each row records how many rows the earlier statements left: 0, 1, 2, 3, 4.
                    try statements.execute("INSERT INTO steps (n, seen) SELECT $1, count(*) FROM steps", [n])
                }
                try statements.execute("UPDATE steps SET seen = seen * 10 WHERE n = ANY($1::int8[])", [[2, 4]])
            }
        }
        let rows = try connection.execute("SELECT n, seen FROM steps ORDER BY n").rows
        #expect(rows.map { [$0[0], $0[1]] } == [["1", "0"], ["2", "10"], ["3", "2"], ["4", "30"], ["5", "4"]])
    }

    @Test func theFirstFailureIsThrownWithItsStateAndTheWholeTransactionRollsBack() throws {
        let connection = try connectToFreshDatabase("overlap_failure")
        try connection.execute("CREATE TABLE t (v int4 NOT NULL)")
        try connection.execute("CREATE TABLE after_failure (v int4)")
        var thrown: PostgresError?
        do {
            try connection.transaction {
                try connection.overlapping { statements in
                    try statements.execute("INSERT INTO t (v) VALUES ($1)", [1])
                    try statements.execute("INSERT INTO t (v) VALUES ($1::int4)", ["99999999999"])  // 22003 out of range
                    try statements.execute("INSERT INTO after_failure (v) VALUES (1)")
                    try statements.execute("INSERT INTO after_failure (v) VALUES (2)")
                }
            }
        } catch let error as PostgresError {
            thrown = error
        }
        #expect(thrown?.sqlState == "22003")
        // Rolled back as a whole, and the connection takes the next statement.
        #expect(try connection.execute("SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM after_failure)").rows[0][0] == "0")
        #expect(try connection.execute("SELECT count(*) FROM after_failure").rows[0][0] == "0")
    }

    @Test func aFailureOfTheCallerWhileAStatementIsInFlightLeavesTheConnectionUsable() throws {
        struct CallerFailure: Error {}
        let connection = try connectToFreshDatabase("overlap_caller")
        try connection.execute("CREATE TABLE t (v int4)")
        #expect(throws: CallerFailure.self) {
            try connection.transaction {
                try connection.overlapping { statements in
                    try statements.execute("INSERT INTO t (v) SELECT 1 FROM pg_sleep(0.2)")
                    throw CallerFailure()
                }
            }
        }
        #expect(try connection.execute("SELECT count(*) FROM t").rows[0][0] == "0")
    }

    @Test func outsideATransactionItIsRefused() throws {
        let connection = try connectToFreshDatabase("overlap_outside")
        var thrown: PostgresError?
        do {
            try connection.overlapping { statements in try statements.execute("SELECT 1") }
        } catch let error as PostgresError {
            thrown = error
        }
        #expect(thrown?.code == .usage)
    }
}
