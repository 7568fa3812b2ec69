import Testing
@testable import Backfill

@Suite struct CSVReaderTests {
    /// Every record as (line, cells as UTF-8 text), or the syntax error.
    static func read(_ text: String, delimiter: Character = ";") -> (records: [(Int, [String])], error: BackfillError.CSVSyntax?) {
        var reader = CSVReader(bytes: Array(text.utf8), delimiter: delimiter.asciiValue!)
        var records: [(Int, [String])] = []
        do {
            while let record = try reader.nextRecord() {
                records.append((record.line, record.cells.map { String(decoding: $0, as: UTF8.self) }))
            }
        } catch {
            guard case .csvSyntax(let syntax) = error else { Issue.record("not a syntax error: \(error)"); return (records, nil) }
            return (records, syntax)
        }
        return (records, nil)
    }

    static func flat(_ records: [(Int, [String])]) -> [String] {
        records.map { "\($0.0):" + $0.1.joined(separator: "|") }
    }

    @Test(arguments: [
        // Plain, LF, last line without a line end.
        ("a;b\n1;2", ["1:a|b", "2:1|2"]),
        // CRLF and a lone CR end lines alike.
        ("a;b\r\n1;2\r\n", ["1:a|b", "2:1|2"]),
        ("a;b\r1;2\r", ["1:a|b", "2:1|2"]),
        // A quoted delimiter, a doubled quote, an empty quoted cell.
        ("\"ID заказа\";\"Стоимость, RUB\"\n\"1;2\";\"Курс \"\"Старт\"\"\";\"\"", ["1:ID заказа|Стоимость, RUB", "2:1;2|Курс \"Старт\"|"]),
        // A line break inside quotes: the next record starts two lines later.
        ("a;b\n\"line one\nline two\";x\n3;4\n", ["1:a|b", "2:line one\nline two|x", "4:3|4"]),
        ("a;b\r\n\"one\r\ntwo\";x\r\n3;4", ["1:a|b", "2:one\r\ntwo|x", "4:3|4"]),
        // Empty cells and a trailing delimiter.
        (";;x;\n", ["1:||x|"]),
        // A BOM is not part of the first title.
        ("\u{FEFF}id;Email\n5;a@b.ru", ["1:id|Email", "2:5|a@b.ru"]),
        // Blank lines are skipped; line numbers stay physical.
        ("a\n\n\nb\n", ["1:a", "4:b"]),
        // A quote inside an unquoted cell is text, as spreadsheet tools write it.
        ("Курс \"Старт\";2", ["1:Курс \"Старт\"|2"]),
    ])
    func records(text: String, expected: [String]) {
        let result = Self.read(text)
        #expect(result.error == nil)
        #expect(Self.flat(result.records) == expected)
    }

    @Test func commaAndTabDelimiters() {
        #expect(Self.flat(Self.read("a,\"b,c\"\n", delimiter: ",").records) == ["1:a|b,c"])
        #expect(Self.flat(Self.read("a\tb;c\n", delimiter: "\t").records) == ["1:a|b;c"])
    }

    @Test func textAfterClosingQuoteIsAnErrorAtItsLine() {
        let result = Self.read("a;b\n1;2\n\"x\"y;3\n")
        #expect(Self.flat(result.records) == ["1:a|b", "2:1|2"])
        #expect(result.error?.line == 3)
        #expect(result.error?.problem.contains("after the closing quote") == true)
    }

    @Test func unclosedQuoteNamesTheLineItOpenedOn() {
        let result = Self.read("a;b\n1;2\n3;\"never closed\n4;5\n")
        #expect(Self.flat(result.records) == ["1:a|b", "2:1|2"])
        #expect(result.error == BackfillError.CSVSyntax(line: 3, problem: "a quoted cell opened on this line is never closed (record of line 3)"))
    }
}

@Suite struct TextEncodingTests {
    /// `ID заказа;ID пользователя;Статус;Стоимость, RUB;Дата создания;Дата оплаты` and a row, as
    /// `iconv -f utf-8 -t cp1251` writes them (bytes produced outside this code).
    static let windows1251Export: [UInt8] = [
        0x49, 0x44, 0x20, 0xe7, 0xe0, 0xea, 0xe0, 0xe7, 0xe0, 0x3b, 0x49, 0x44, 0x20, 0xef, 0xee, 0xeb, 0xfc, 0xe7, 0xee, 0xe2, 0xe0, 0xf2, 0xe5, 0xeb,
        0xff, 0x3b, 0xd1, 0xf2, 0xe0, 0xf2, 0xf3, 0xf1, 0x3b, 0xd1, 0xf2, 0xee, 0xe8, 0xec, 0xee, 0xf1, 0xf2, 0xfc, 0x2c, 0x20, 0x52, 0x55, 0x42, 0x3b,
        0xc4, 0xe0, 0xf2, 0xe0, 0x20, 0xf1, 0xee, 0xe7, 0xe4, 0xe0, 0xed, 0xe8, 0xff, 0x3b, 0xc4, 0xe0, 0xf2, 0xe0, 0x20, 0xee, 0xef, 0xeb, 0xe0, 0xf2,
        0xfb, 0x0a, 0x31, 0x30, 0x30, 0x31, 0x3b, 0x34, 0x32, 0x3b, 0xc7, 0xe0, 0xe2, 0xe5, 0xf0, 0xf8, 0xb8, 0xed, 0x3b, 0x22, 0x31, 0x34, 0x20, 0x39,
        0x30, 0x30, 0x2c, 0x35, 0x30, 0x22, 0x3b, 0x32, 0x30, 0x32, 0x36, 0x2d, 0x30, 0x31, 0x2d, 0x31, 0x35, 0x20, 0x30, 0x39, 0x3a, 0x30, 0x30, 0x3a,
        0x30, 0x30, 0x3b, 0x32, 0x30, 0x32, 0x36, 0x2d, 0x30, 0x31, 0x2d, 0x31, 0x35, 0x20, 0x30, 0x39, 0x3a, 0x30, 0x33, 0x3a, 0x34, 0x32, 0x0a,
    ]

    @Test(arguments: [
        ([0xC0], "А"), ([0xFF], "я"), ([0xA8], "Ё"), ([0xB8], "ё"), ([0xB9], "№"), ([0xA0], "\u{00A0}"),
        ([0x88], "€"), ([0x96], "–"), ([0xAB, 0xBB], "«»"), ([0x41, 0x3B], "A;"),
    ] as [([UInt8], String)])
    func windows1251Bytes(bytes: [UInt8], text: String) {
        #expect(TextEncoding.windows1251.decode(bytes[...]) == text)
    }

    @Test func windows1251HasNoCharacterAt0x98() {
        #expect(TextEncoding.windows1251.decode([0x98][...]) == nil)
    }

    @Test func invalidUTF8IsRefused() {
        #expect(TextEncoding.utf8.decode([0x41, 0xD1][...]) == nil)
        #expect(TextEncoding.utf8.decode(Array("Статус".utf8)[...]) == "Статус")
    }

    @Test func encodingNames() {
        #expect(TextEncoding(name: "CP1251") == .windows1251)
        #expect(TextEncoding(name: "UTF8") == .utf8)
        #expect(TextEncoding(name: "koi8-r") == nil)
    }

    @Test func windows1251ExportReadsAsATable() throws {
        let format = CSVFormat(delimiter: UInt8(ascii: ";"), encoding: .windows1251, decimalSeparator: .comma)
        var table = try CSVExportTable(name: "orders.csv", bytes: Self.windows1251Export, format: format)
        #expect(table.header == ["ID заказа", "ID пользователя", "Статус", "Стоимость, RUB", "Дата создания", "Дата оплаты"])
        #expect(table.rowCount == 1)
        let row = try #require(try table.nextRow())
        #expect(row.cells == ["1001", "42", "Завершён", "14 900,50", "2026-01-15 09:00:00", "2026-01-15 09:03:42"])
        #expect(row.location == "line 2")
        #expect(row.problem == nil)
    }

    @Test func windows1251ReadAsUTF8SaysWhichEncodingToTry() {
        #expect(throws: BackfillError.table(BackfillError.Table(table: "orders.csv", problem: "line 1: header cell 1 is not valid utf-8 (try --encoding windows-1251)"))) {
            _ = try CSVExportTable(name: "orders.csv", bytes: Self.windows1251Export, format: CSVFormat())
        }
    }
}
