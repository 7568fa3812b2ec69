/// One record of a CSV file: its cells as raw bytes and the line it starts on (1-based, the header is line 1).
public struct CSVRecord: Sendable, Hashable {
    public var line: Int
    public var cells: [ArraySlice<UInt8>]
}

extension BackfillError {
    /// A structural fault of the file itself (not of a cell's value), at the line where the record began.
    public struct CSVSyntax: Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var problem: String
        public var description: String { "line \(line): \(problem)" }
    }
}

/// Splits CSV bytes into records (RFC 4180 plus what real exports do), without decoding text.
///
/// Works on bytes because the delimiter, quote and line breaks are ASCII in both UTF-8 and Windows-1251,
/// so cells are decoded only once they are cut out. Accepted: quoted cells with `""` escapes, delimiters and
/// line breaks inside quotes, CRLF, LF or lone CR line ends, a UTF-8 byte-order mark, a last line without a
/// line end, blank lines (skipped). A quote inside an unquoted cell is kept as text (`Курс "Старт"`), as
/// spreadsheet tools write it. Refused: text after a closing quote, and a quote never closed.
public struct CSVReader: Sequence, IteratorProtocol, Sendable {
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position: Int
    private var line = 1

    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    public init(bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// The next record; throws at a structural fault, after which the reader is finished.
    public mutating func nextRecord() throws(BackfillError) -> CSVRecord? {
        while position < bytes.count {
            let start = line
            if let record = try readRecord() {
                return CSVRecord(line: start, cells: record)
            }
        }
        return nil
    }

    /// The `Sequence` form stops at a structural fault; use `nextRecord()` to see it.
    public mutating func next() -> CSVRecord? {
        try? nextRecord()
    }

    /// One physical record; nil for a blank line.
    private mutating func readRecord() throws(BackfillError) -> [ArraySlice<UInt8>]? {
        var cells: [ArraySlice<UInt8>] = []
        let recordLine = line
        while true {
            if position < bytes.count, bytes[position] == Self.quote {
                let (cell, quoteLine) = try quotedCell(recordLine: recordLine)
                cells.append(cell)
                if position >= bytes.count { return cells }
                let byte = bytes[position]
                if byte == delimiter {
                    position += 1
                    continue
                }
                if endLine() { return cells }
                throw .csvSyntax(BackfillError.CSVSyntax(line: quoteLine, problem: "cell \(cells.count): text after the closing quote (a quote inside a quoted cell must be doubled)"))
            }
            let start = position
            while position < bytes.count, bytes[position] != delimiter,
                  bytes[position] != Self.lineFeed, bytes[position] != Self.carriageReturn {
                position += 1
            }
            cells.append(bytes[start..<position])
            if position >= bytes.count { break }
            if bytes[position] == delimiter {
                position += 1
                if position >= bytes.count { cells.append([]); break }
                continue
            }
            _ = endLine()
            break
        }
        if cells.count == 1 && cells[0].isEmpty { return nil }
        return cells
    }

    /// Consumes a line end at `position` if there is one.
    private mutating func endLine() -> Bool {
        guard position < bytes.count else { return false }
        if bytes[position] == Self.carriageReturn {
            position += 1
            if position < bytes.count, bytes[position] == Self.lineFeed { position += 1 }
            line += 1
            return true
        }
        if bytes[position] == Self.lineFeed {
            position += 1
            line += 1
            return true
        }
        return false
    }

    /// A quoted cell's content with `""` unescaped; the returned line is the one its closing quote is on.
    private mutating func quotedCell(recordLine: Int) throws(BackfillError) -> (ArraySlice<UInt8>, Int) {
        let openingLine = line
        position += 1
        var content: [UInt8] = []
        var plainStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == Self.quote {
                content.append(contentsOf: bytes[plainStart..<position])
                if position + 1 < bytes.count, bytes[position + 1] == Self.quote {
                    content.append(Self.quote)
                    position += 2
                    plainStart = position
                    continue
                }
                position += 1
                return (content[...], line)
            }
            if byte == Self.lineFeed || (byte == Self.carriageReturn && !(position + 1 < bytes.count && bytes[position + 1] == Self.lineFeed)) {
                line += 1
            }
            position += 1
        }
        throw .csvSyntax(BackfillError.CSVSyntax(line: openingLine, problem: "a quoted cell opened on this line is never closed (record of line \(recordLine))"))
    }
}
