import Postgres
import Testing

/// `forEachRow`: a result read through a cursor, a slice at a time.
@Suite struct PostgresCursorTests {
    @Test("every row once, in order, whether or not the count is a multiple of the slice", arguments: [1, 7, 10, 1_000])
    func everyRowInOrder(rowsPerFetch: Int) throws {
        let connection = try connectToFreshDatabase("cursor")
        for count in [0, 10, 23] {
            var seen: [Int] = []
            try connection.transaction {
                try connection.forEachRow(
                    "SELECT n FROM generate_series(1, \(count)) AS n ORDER BY n DESC", rowsPerFetch: rowsPerFetch
                ) { row in seen.append(try row.decode(0, as: Int.self)) }
            }
            #expect(seen == Array(stride(from: count, through: 1, by: -1)))
        }
    }

    @Test("the cursor is closed after reading, so a second read in the same transaction works; an error in the body ends the transaction")
    func closedAfterwards() throws {
        let connection = try connectToFreshDatabase("cursor")
        try connection.execute("CREATE TABLE items (n int PRIMARY KEY)")
        try connection.execute("INSERT INTO items SELECT generate_series(1, 25)")
        var total = 0
        try connection.transaction {
            for _ in 0..<2 {
                try connection.forEachRow("SELECT n FROM items", rowsPerFetch: 4) { total += try $0.decode(0, as: Int.self) }
            }
        }
        #expect(total == 2 * 325)

        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.transaction {
                try connection.forEachRow("SELECT n FROM items", rowsPerFetch: 4) { _ in throw Stop() }
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try connection.execute("SELECT count(*) FROM items").rows[0].decode(0, as: Int.self) == 25)
    }
}
