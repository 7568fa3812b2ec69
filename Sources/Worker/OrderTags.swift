import Events

/// An order's tags as stored in `orders.tags`: a JSON array of strings, so any tag text survives.
enum OrderTags {
    static func json(_ tags: [String]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, tag) in tags.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONStringLiteral.append(tag, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The tags of a stored array; the worker wrote it, so anything else is a damaged row.
    static func parse(_ text: String) throws -> [String] {
        guard case .array(let elements) = try JSONParser.parse(Array(text.utf8)) else {
            throw StoredValueError(description: "orders.tags is not a JSON array of strings: \(text.prefix(200))")
        }
        return try elements.map { element in
            guard case .string(let tag) = element else { throw StoredValueError(description: "orders.tags is not a JSON array of strings: \(text.prefix(200))") }
            return tag
        }
    }
}
