import Postgres
import Testing

/// COPY FROM STDIN: awkward text must come back byte for byte.
@Suite struct PostgresCopyTests {
    static func label(_ index: Int) -> String? {
        if index % 7 == 3 { return nil }
        switch index % 5 {
        case 0: return "row \(index)\ttab\nnewline\\back\r cr 'q' \"dq\""
        case 1: return "\\N"
        case 2: return "\\."
        case 3: return ""
        default: return "ünï 🎉 \(index) '); DROP TABLE copied; --"
        }
    }

    @Test func tenThousandAwkwardRowsRoundTrip() throws {
        let connection = try connectToFreshDatabase("copy")
        try connection.execute(
            "CREATE TABLE copied (id int8 PRIMARY KEY, label text, amount float8, flag bool, tags text[])")
        let count = 10_000
        let rows: [[any PostgresEncodable]] = (0..<count).map { index in
            let tags: [String?] = [Self.label(index), nil, "a\tb", "q\"uote"]
            return [index, Self.label(index), Double(index) / 3, index % 2 == 0, tags]
        }
        let copied = try connection.copyRows(
            table: "copied", columns: ["id", "label", "amount", "flag", "tags"], rows: rows)
        #expect(copied == count)

        let result = try connection.execute(
            "SELECT id, label, amount, flag, tags[1] AS first_tag, tags[2] IS NULL AS null_tag, tags[3] AS tab_tag, tags[4] AS quote_tag FROM copied ORDER BY id")
        #expect(result.rows.count == count)
        var mismatches = 0
        for (index, row) in result.rows.enumerated() {
            let ok =
                (try? row.decode("id", as: Int.self)) == index
                && row["label"] == Self.label(index)
                && (try? row.decode("amount", as: Double.self)) == Double(index) / 3
                && (try? row.decode("flag", as: Bool.self)) == (index % 2 == 0)
                && row["first_tag"] == Self.label(index)
                && row["null_tag"] == "t"
                && row["tab_tag"] == "a\tb"
                && row["quote_tag"] == "q\"uote"
            if !ok { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(try connection.execute("SELECT count(*) FROM copied WHERE label IS NULL").rows[0][0]
            == String((0..<count).filter { $0 % 7 == 3 }.count))
    }

    @Test func badRowsLoadNothing() throws {
        let connection = try connectToFreshDatabase("copybad")
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        let width = #expect(throws: PostgresError.self) {
            try connection.copyRows(table: "t", columns: ["id", "v"], rows: [[1, "a"], [2]])
        }
        #expect(width?.code == .usage)
        let duplicate = #expect(throws: PostgresError.self) {
            try connection.copyRows(table: "t", columns: ["id", "v"], rows: [[1, "a"], [1, "b"]])
        }
        #expect(duplicate?.sqlState == "23505")
        #expect(try connection.execute("SELECT count(*) FROM t").rows[0][0] == "0")
        // Still usable, and schema-qualified names work.
        try connection.execute("CREATE SCHEMA bi")
        try connection.execute("CREATE TABLE bi.t (v text)")
        #expect(try connection.copyRows(table: "bi.t", columns: ["v"], rows: [["x"], ["y"]]) == 2)
        #expect(try connection.copyRows(table: "bi.t", columns: ["v"], rows: []) == 0)
    }
}
