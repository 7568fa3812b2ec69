/// One result row holding each value in PostgreSQL's text format (nil for NULL).
public struct PostgresRow: Sendable {
    /// Shared by every row of a result so that name lookups cost one dictionary per result, not per row.
    final class Layout: Sendable {
        let names: [String]
        let indexByName: [String: Int]

        init(names: [String]) {
            self.names = names
            var indexByName: [String: Int] = [:]
            // The first column wins on duplicate names, as in most drivers.
            for (index, name) in names.enumerated() where indexByName[name] == nil {
                indexByName[name] = index
            }
            self.indexByName = indexByName
        }
    }

    let layout: Layout
    let values: [String?]

    init(layout: Layout, values: [String?]) {
        self.layout = layout
        self.values = values
    }

    /// The raw text at a column position, or nil for NULL; traps on an out-of-range index like an array does.
    public subscript(_ index: Int) -> String? {
        values[index]
    }

    /// The raw text in the named column, or nil for NULL or when there is no such column.
    public subscript(_ column: String) -> String? {
        guard let index = layout.indexByName[column] else { return nil }
        return values[index]
    }

    /// Decodes a non-NULL value; throws a `.decoding` error naming the column if it is NULL or unparsable.
    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type) throws -> T {
        guard let value = try decodeIfPresent(index, as: type) else {
            throw PostgresError(code: .decoding, summary: "column \"\(name(at: index))\" is NULL", column: name(at: index))
        }
        return value
    }

    /// Decodes a non-NULL value by column name; throws a `.decoding` error naming the column if absent, NULL or unparsable.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type) throws -> T {
        try decode(index(of: column), as: type)
    }

    /// Decodes a value that may be NULL; throws a `.decoding` error naming the column if it is unparsable.
    public func decodeIfPresent<T: PostgresDecodable>(_ index: Int, as type: T.Type) throws -> T? {
        guard index >= 0, index < values.count else {
            throw PostgresError(code: .decoding, summary: "no column at index \(index) (row has \(values.count))")
        }
        guard let text = values[index] else { return nil }
        do {
            return try T(postgresText: text)
        } catch let error as PostgresError {
            throw PostgresError(
                code: .decoding, summary: "column \"\(name(at: index))\": \(error.summary)",
                column: name(at: index), message: error.message, detail: error.detail, hint: error.hint)
        } catch {
            throw PostgresError(
                code: .decoding, summary: "column \"\(name(at: index))\" cannot be decoded as \(T.self)",
                column: name(at: index), message: String(reflecting: error))
        }
    }

    /// Decodes a value that may be NULL by column name.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type) throws -> T? {
        try decodeIfPresent(index(of: column), as: type)
    }

    private func index(of column: String) throws -> Int {
        guard let index = layout.indexByName[column] else {
            throw PostgresError(code: .decoding, summary: "no column named \"\(column)\"", column: column)
        }
        return index
    }

    private func name(at index: Int) -> String {
        index < layout.names.count ? layout.names[index] : "#\(index)"
    }
}
