import Events
import Foundation

/// One data row of an export: its ordinal (1-based, what checkpoints count), where it is, and its cells.
public struct ExportRow: Sendable, Hashable {
    public var ordinal: Int
    /// `line 17` for a file, `item 5` for an Export API answer: how an analyst finds the row.
    public var location: String
    public var cells: [String]
    /// Set when the cells could not be read (bytes invalid in the encoding); the row is then reported and skipped.
    public var problem: BackfillError.Row?
}

/// An export read row by row: a CSV file or an Export API answer.
public protocol ExportTable {
    /// How reports name it: the file name, or `deals export 123456`.
    var name: String { get }
    var header: [String] { get }
    /// Data rows in the table (header excluded).
    var rowCount: Int { get }
    /// What the checkpoint compares, so a changed file is not resumed half-way: a content digest or an export id.
    var identity: String { get }
    /// The next row; throws `BackfillError.table` when the rest of the table cannot be read.
    mutating func nextRow() throws(BackfillError) -> ExportRow?
}

extension BackfillError {
    /// The table itself is unreadable from some point on (an unclosed quote, a header that cannot be decoded).
    public struct Table: Sendable, Hashable, CustomStringConvertible {
        public var table: String
        public var problem: String
        public var description: String { "\(table): \(problem)" }
    }
}

/// A CSV export in memory: the header is read at once, rows as they are asked for.
public struct CSVExportTable: ExportTable, Sendable {
    public let name: String
    public let header: [String]
    public let rowCount: Int
    public let identity: String
    private let format: CSVFormat
    private var reader: CSVReader
    private var ordinal = 0

    /// - Throws: `BackfillError.table` for an empty file, a header that does not decode, or a structural fault
    ///   (found by a first pass that also counts the rows for progress).
    public init(name: String, bytes: [UInt8], format: CSVFormat) throws(BackfillError) {
        self.name = name
        self.format = format
        identity = "sha256:" + SHA256Hex.digest(bytes)
        reader = CSVReader(bytes: bytes, delimiter: format.delimiter)
        let headerRecord: CSVRecord?
        do {
            headerRecord = try reader.nextRecord()
        } catch {
            throw .table(BackfillError.Table(table: name, problem: error.description))
        }
        guard let headerRecord else { throw .table(BackfillError.Table(table: name, problem: "is empty (no header line)")) }
        var titles: [String] = []
        for (index, cell) in headerRecord.cells.enumerated() {
            guard let title = format.encoding.decode(cell) else {
                throw .table(BackfillError.Table(table: name, problem: "line \(headerRecord.line): header cell \(index + 1) is not valid \(format.encoding.rawValue) (try --encoding \(format.encoding == .utf8 ? TextEncoding.windows1251.rawValue : TextEncoding.utf8.rawValue))"))
            }
            titles.append(title)
        }
        header = titles
        // Counting first costs one scan of bytes already in memory, and gives progress a total and ETA.
        var counter = reader
        var count = 0
        while true {
            do {
                guard try counter.nextRecord() != nil else { break }
            } catch {
                // Rows before the fault are still imported; the fault is raised when reached.
                break
            }
            count += 1
        }
        rowCount = count
    }

    public mutating func nextRow() throws(BackfillError) -> ExportRow? {
        let record: CSVRecord?
        do {
            record = try reader.nextRecord()
        } catch {
            throw .table(BackfillError.Table(table: name, problem: error.description))
        }
        guard let record else { return nil }
        ordinal += 1
        var cells: [String] = []
        var problem: BackfillError.Row?
        for (index, cell) in record.cells.enumerated() {
            if let text = format.encoding.decode(cell) {
                cells.append(text)
            } else {
                cells.append("")
                let column = index < header.count ? header[index] : "cell \(index + 1)"
                problem = problem ?? BackfillError.Row(column: column, problem: "is not valid \(format.encoding.rawValue) text (wrong --encoding?)")
            }
        }
        return ExportRow(ordinal: ordinal, location: "line \(record.line)", cells: cells, problem: problem)
    }
}

/// The rows of a finished Export API export (`info.fields` and `info.items`).
public struct APIExportTable: ExportTable, Sendable {
    public let name: String
    public let header: [String]
    public let identity: String
    let items: [[String]]
    private var next = 0

    public var rowCount: Int { items.count }

    public init(name: String, exportID: Int, header: [String], items: [[String]]) {
        self.name = name
        self.header = header
        self.items = items
        identity = "export:\(exportID)"
    }

    public mutating func nextRow() throws(BackfillError) -> ExportRow? {
        guard next < items.count else { return nil }
        next += 1
        return ExportRow(ordinal: next, location: "item \(next)", cells: items[next - 1], problem: nil)
    }
}
