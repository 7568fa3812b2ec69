/// The benchmark's printed result: one row per figure, with what it means or what bounds it.
public struct BenchTable: Sendable {
    /// One figure.
    public struct Row: Sendable {
        public var name: String
        public var value: String
        public var note: String
    }

    public private(set) var rows: [Row] = []

    public init() {}

    mutating func add(_ name: String, _ value: String, _ note: String) {
        rows.append(Row(name: name, value: value, note: note))
    }

    /// The names every complete run prints (the CI smoke test checks them).
    public static let requiredNames = [
        "data set", "consume ceiling", "worker throughput", "worker CPU", "PostgreSQL CPU", "worker peak RSS", "worker / consume ceiling",
        "exactly once", "PostgreSQL write ceiling", "worker / PostgreSQL ceiling", "PostgreSQL settings",
        "PostgreSQL writes per event", "recovery after restart",
        "BI queries, contractor / all projects", "BI queries over every id",
    ]

    /// A fixed-width text table.
    public var text: String {
        let nameWidth = max(6, rows.map(\.name.count).max() ?? 0)
        let valueWidth = max(5, rows.map(\.value.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["| \(pad("figure", nameWidth)) | \(pad("value", valueWidth)) | notes |",
                     "|\(String(repeating: "-", count: nameWidth + 2))|\(String(repeating: "-", count: valueWidth + 2))|-------|"]
        for row in rows { lines.append("| \(pad(row.name, nameWidth)) | \(pad(row.value, valueWidth)) | \(row.note) |") }
        return lines.joined(separator: "\n")
    }
}
