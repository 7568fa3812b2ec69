import Foundation
import Postgres
import Testing

/// Bound parameters and decoding: every supported type must survive a round trip byte for byte.
@Suite struct PostgresParameterTests {
    static let awkwardStrings: [String] = [
        "",
        "plain",
        "it's \"quoted\" ''twice''",
        "back\\slash \\\\ double \\N \\. end\\",
        "line1\nline2\r\nline3",
        "tab\there\t",
        "unicode: żółć 日本語 🎉 e\u{301} \u{200B}",
        "'); DROP TABLE x; --",
        "$1 $2 ? %s",
        "NULL",
        "{a,b}",
        "  padded  ",
    ]

    @Test func stringsRoundTripExactlyAndAreStoredAsData() throws {
        let connection = try connectToFreshDatabase("strings")
        try connection.executeScript("CREATE TABLE x (id int); CREATE TABLE texts (id int PRIMARY KEY, value text);")
        for (index, text) in Self.awkwardStrings.enumerated() {
            let echoed = try connection.execute("SELECT $1::text AS value", [text])
            #expect(echoed.rows.count == 1)
            #expect(echoed.rows[0]["value"].map { Array($0.utf8) } == Array(text.utf8))
            let inserted = try connection.execute("INSERT INTO texts (id, value) VALUES ($1, $2)", [index, text])
            #expect(inserted.affectedRows == 1)
        }
        let stored = try connection.execute("SELECT id, value FROM texts ORDER BY id")
        #expect(stored.columns == ["id", "value"])
        #expect(stored.rows.map { $0[1].map { Array($0.utf8) } } == Self.awkwardStrings.map { Array($0.utf8) })
        // The SQL-looking value was data: table x still exists.
        #expect(try connection.execute("SELECT count(*) FROM x").rows[0][0] == "0")
        #expect(try connection.execute("SELECT $1::text = 'NULL', $1::text IS NULL", ["NULL"]).rows[0][0] == "t")
    }

    @Test func integersBooleansAndDoublesRoundTrip() throws {
        let connection = try connectToFreshDatabase("scalars")
        for value in [0, 1, -1, Int.max, Int.min] {
            let row = try connection.execute("SELECT $1::int8", [value]).rows[0]
            #expect(try row.decode(0, as: Int.self) == value)
        }
        for value in [Int64.max, Int64.min, 42] {
            #expect(try connection.execute("SELECT $1::int8", [value]).rows[0].decode(0, as: Int64.self) == value)
        }
        for value in [Int32.max, Int32.min, 7] {
            #expect(try connection.execute("SELECT $1::int4", [value]).rows[0].decode(0, as: Int32.self) == value)
        }
        for value in [Int16.max, Int16.min] {
            #expect(try connection.execute("SELECT $1::int2", [value]).rows[0].decode(0, as: Int16.self) == value)
        }
        for value in [true, false] {
            let row = try connection.execute("SELECT $1::bool, NOT $1::bool", [value]).rows[0]
            #expect(try row.decode(0, as: Bool.self) == value)
            #expect(try row.decode(1, as: Bool.self) == !value)
            #expect(row[0] == (value ? "t" : "f"))
        }
        let doubles: [Double] = [0, -0.0, 0.1, -1.5, .pi, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity]
        for value in doubles {
            let decoded = try connection.execute("SELECT $1::float8", [value]).rows[0].decode(0, as: Double.self)
            #expect(decoded.bitPattern == value.bitPattern, "\(value)")
        }
        #expect(try connection.execute("SELECT $1::float8", [Double.nan]).rows[0].decode(0, as: Double.self).isNaN)
        #expect(try connection.execute("SELECT $1::int8 + $2::int4", [40, Int32(2)]).rows[0][0] == "42")
    }

    @Test func nullsAndOptionals() throws {
        let connection = try connectToFreshDatabase("nulls")
        let missing: Int? = nil
        let present: String? = "here"
        let row = try connection.execute(
            "SELECT $1::int8 AS a, $2::text AS b, $1::int8 IS NULL AS a_null", [missing, present]
        ).rows[0]
        #expect(row["a"] == nil)
        #expect(row["b"] == "here")
        #expect(row["a_null"] == "t")
        #expect(try row.decodeIfPresent(0, as: Int.self) == nil)
        #expect(try row.decodeIfPresent(1, as: String.self) == "here")
        let doubleOptional: Int?? = .some(nil)
        #expect(try connection.execute("SELECT $1::int8 IS NULL", [doubleOptional]).rows[0][0] == "t")
    }

    @Test func datesAreSentAsUTCWithMicroseconds() throws {
        let connection = try connectToFreshDatabase("dates")
        try connection.execute("SET TIME ZONE 'Asia/Tokyo'")
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        #expect(date.postgresText == "2023-11-14T22:13:20.123456Z")
        let row = try connection.execute(
            "SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')", [date]
        ).rows[0]
        #expect(row[0] == "2023-11-14 22:13:20.123456")
        let early = Date(timeIntervalSince1970: -0.5)
        #expect(early.postgresText == "1969-12-31T23:59:59.500000Z")
    }

    @Test func arraysWithNullsAndQuotesUnnestExactly() throws {
        let connection = try connectToFreshDatabase("arrays")
        let values: [String?] = [
            "a", nil, "say \"hi\"", "back\\slash", "comma,here", "{brace}", "NULL", "", " spaced ", "tab\tnew\nline",
            "'); DROP TABLE x; --", "ünï🎉",
        ]
        let result = try connection.execute(
            "SELECT value, ordinal FROM unnest($1::text[]) WITH ORDINALITY AS u(value, ordinal) ORDER BY ordinal",
            [values])
        #expect(result.rows.count == values.count)
        #expect(result.rows.map { $0["value"] } == values)
        // [String] takes its own path through the encoder.
        let strings = values.compactMap { $0 }
        let unnested = try connection.execute(
            "SELECT value FROM unnest($1::text[]) WITH ORDINALITY AS u(value, ordinal) ORDER BY ordinal", [strings])
        #expect(unnested.rows.map { $0["value"] } == strings)
        let noArray: [String]? = nil
        #expect(try connection.execute("SELECT $1::text[] IS NULL", [noArray]).rows[0][0] == "t")

        let numbers = [1, -2, Int.max]
        let summary = try connection.execute(
            "SELECT cardinality($1::int8[]), ($1::int8[])[3], array_position($1::int8[], -2)", [numbers]
        ).rows[0]
        #expect(summary[0] == "3")
        #expect(summary[1] == String(Int.max))
        #expect(summary[2] == "2")
        #expect(try connection.execute("SELECT cardinality($1::int4[])", [[Int]()]).rows[0][0] == "0")
        #expect(try connection.execute("SELECT ($1::int4[])[2][1]", [[[1, 2], [3, 4]]]).rows[0][0] == "3")
        #expect(try connection.execute("SELECT $1::bool[]", [[true, false]]).rows[0][0] == "{t,f}")

        // [Int64], [Int] and [Bool] are written digit by digit: every extreme and sign round-trips.
        let wide: [Int64] = [0, 7, -7, 9, 10, -10, 99, 100, 1_234_567_890_123, Int64.max, Int64.min, Int64.min + 1]
        let wideBack = try connection.execute(
            "SELECT value FROM unnest($1::int8[]) WITH ORDINALITY AS u(value, ordinal) ORDER BY ordinal", [wide])
        #expect(try wideBack.rows.map { try $0.decode(0, as: Int64.self) } == wide)
        let ints = [Int.min, -1, 0, 1, Int.max]
        let intsBack = try connection.execute(
            "SELECT value FROM unnest($1::int8[]) WITH ORDINALITY AS u(value, ordinal) ORDER BY ordinal", [ints])
        #expect(try intsBack.rows.map { try $0.decode(0, as: Int.self) } == ints)
        let flags = [false, true, true, false]
        let flagsBack = try connection.execute(
            "SELECT value FROM unnest($1::boolean[]) WITH ORDINALITY AS u(value, ordinal) ORDER BY ordinal", [flags])
        #expect(try flagsBack.rows.map { try $0.decode(0, as: Bool.self) } == flags)
        #expect([Int64]().postgresText == "{}")
        #expect([Int64(-5), 0, 12].postgresText == "{-5,0,12}")
    }

    @Test func decodeErrorsNameTheColumn() throws {
        let connection = try connectToFreshDatabase("decode")
        let row = try connection.execute("SELECT NULL::int AS missing, 'abc' AS word, 5 AS five").rows[0]
        #expect(try row.decode("five", as: Int.self) == 5)
        #expect(try row.decode(2, as: Int32.self) == 5)
        #expect(try row.decode("word", as: String.self) == "abc")

        let nullError = #expect(throws: PostgresError.self) { try row.decode("missing", as: Int.self) }
        #expect(nullError?.code == .decoding)
        #expect(nullError?.column == "missing")
        #expect(nullError?.description.contains("\"missing\"") == true)

        let parseError = #expect(throws: PostgresError.self) { try row.decode(1, as: Int.self) }
        #expect(parseError?.code == .decoding)
        #expect(parseError?.column == "word")
        #expect(parseError?.description.contains("\"word\"") == true)
        #expect(parseError?.description.contains("abc") == false)
        #expect(parseError?.debugDescription.contains("abc") == true)

        let boolError = #expect(throws: PostgresError.self) { try row.decode("word", as: Bool.self) }
        #expect(boolError?.column == "word")
        let absent = #expect(throws: PostgresError.self) { try row.decode("nope", as: Int.self) }
        #expect(absent?.column == "nope")
        #expect(row["nope"] == nil)
        #expect(try row.decodeIfPresent(0, as: Int.self) == nil)
    }

    @Test func nulBytesAreRejectedBeforeReachingTheServer() throws {
        let connection = try connectToFreshDatabase("nul")
        let error = #expect(throws: PostgresError.self) { try connection.execute("SELECT $1::text", ["a\u{0}b"]) }
        #expect(error?.code == .usage)
        // Arrays of strings are bound in binary; the same refusal, for plain and optional elements.
        let inArray = #expect(throws: PostgresError.self) { try connection.execute("SELECT $1::text[]", [["ok", "a\u{0}b"]]) }
        #expect(inArray?.code == .usage)
        let inOptionals: [String?] = [nil, "a\u{0}b"]
        #expect(throws: PostgresError.self) { try connection.execute("SELECT $1::text[]", [inOptionals]) }
        #expect(try connection.execute("SELECT 1").rows[0][0] == "1")
    }

    /// Arrays of strings go in binary as `text[]`; a cast to another array type reads each element
    /// as that type's text, exactly as the text format did.
    @Test func binaryStringArraysCastToEveryElementType() throws {
        let connection = try connectToFreshDatabase("binary_arrays")
        let row = try connection.execute("""
            SELECT ($1::date[])[2], ($2::timestamptz[])[1] = '2026-01-15T06:03:42.5Z'::timestamptz, ($3::numeric[])[1] + 1,
                   ($4::bigint[])[2] * 2, ($5::jsonb[])[1] ->> 'a', cardinality($6::text[]), ($7::date[])[2] IS NULL,
                   array_length($7::date[], 1)
            """, [
                ["2026-01-15", "2026-02-28"], ["2026-01-15T09:03:42.5+03:00"], ["1490.00"], ["1", "-4611686018427387904"],
                [#"{"a": "b"}"#], [String](), ["2026-03-01", nil] as [String?],
            ]).rows[0]
        #expect(row[0] == "2026-02-28")
        #expect(row[1] == "t")
        #expect(row[2] == "1491.00")
        #expect(row[3] == "-9223372036854775808")
        #expect(row[4] == "b")
        #expect(row[5] == "0")
        #expect(row[6] == "t")
        #expect(row[7] == "2")
        // Through the overlapped path too, into a table.
        try connection.execute("CREATE TABLE days (day date, label text)")
        try connection.transaction {
            try connection.overlapping { statements in
                try statements.execute("INSERT INTO days SELECT * FROM unnest($1::date[], $2::text[])",
                                       [["2026-01-01", "2026-01-02"], ["new year", "ünï 🎉 \"quoted\""]])
            }
        }
        let days = try connection.execute("SELECT day::text, label FROM days ORDER BY day").rows
        #expect(days.map { $0[0] } == ["2026-01-01", "2026-01-02"])
        #expect(days.map { $0[1] } == ["new year", "ünï 🎉 \"quoted\""])
    }
}
