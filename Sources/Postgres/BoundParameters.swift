import CLibPQ
import Foundation

/// Owns the parameters of one statement as libpq takes them: most in text format, arrays of
/// strings in binary (`text[]`), so the server copies their elements instead of parsing an
/// array literal (`array_in` was a seventh of its CPU on the worker's batches) and the client
/// does not quote them. An `$n::date[]` or `$n::bigint[]` cast of such an array still reads
/// each element as that type's text.
final class BoundParameters {
    /// `text[]`'s type OID and its element's, from `pg_type`.
    static let textArrayOID: Oid = 1009
    static let textOID: Oid = 25

    private let storage: [UnsafeMutablePointer<CChar>?]
    private let types: [Oid]
    private let lengths: [Int32]
    private let formats: [Int32]

    var count: Int { storage.count }

    /// - Throws: `PostgresError.usage` for a value containing a NUL byte.
    init(_ parameters: [any PostgresEncodable]) throws {
        var storage: [UnsafeMutablePointer<CChar>?] = []
        var types: [Oid] = [], lengths: [Int32] = [], formats: [Int32] = []
        storage.reserveCapacity(parameters.count)
        func bindBinary(_ bytes: [UInt8], type: Oid) {
            storage.append(Self.copy(bytes))
            types.append(type)
            lengths.append(Int32(bytes.count))
            formats.append(1)
        }
        do {
            for parameter in parameters {
                // Compared by type, not cast: `as? [String]` would also try an [String?] element by element.
                if type(of: parameter) == [String].self {
                    bindBinary(try Self.binaryTextArray(parameter as! [String], element: { $0 }), type: Self.textArrayOID)
                } else if type(of: parameter) == [String?].self {
                    bindBinary(try Self.binaryTextArray(parameter as! [String?], element: { $0 }), type: Self.textArrayOID)
                } else {
                    storage.append(try PostgresConnection.checkedText(parameter.postgresText).flatMap { strdup($0) })
                    types.append(0)
                    lengths.append(0)
                    formats.append(0)
                }
            }
        } catch {
            for pointer in storage { free(pointer) }
            throw error
        }
        self.storage = storage
        self.types = types
        self.lengths = lengths
        self.formats = formats
    }

    deinit {
        for pointer in storage { free(pointer) }
    }

    /// Lends the arrays PQexecParams and PQsendQueryParams take.
    func withPointers<R>(
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        let pointers = storage.map { $0.map { UnsafePointer($0) } } + [nil]
        return try pointers.withUnsafeBufferPointer { values in
            try types.withUnsafeBufferPointer { types in
                try lengths.withUnsafeBufferPointer { lengths in
                    try formats.withUnsafeBufferPointer { formats in
                        try body(types.baseAddress, values.baseAddress!, lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    /// A one-dimensional `text[]` in PostgreSQL's binary array format (`array_send`): the number
    /// of dimensions, a has-NULLs flag, the element type, the length and lower bound (1) of the
    /// dimension, then each element as a 4-byte length (-1 for NULL) and its UTF-8 bytes; every
    /// integer big-endian. An empty array has no dimensions.
    static func binaryTextArray<Element>(_ elements: [Element], element: (Element) -> String?) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20 + elements.count * 20)
        func append(_ value: Int32) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        append(elements.isEmpty ? 0 : 1)
        append(elements.contains(where: { element($0) == nil }) ? 1 : 0)
        append(Int32(bitPattern: textOID))
        if !elements.isEmpty {
            append(Int32(elements.count))
            append(1)
        }
        for item in elements {
            guard var text = element(item) else {
                append(-1)
                continue
            }
            try text.withUTF8 { utf8 in
                // The same refusal as a text parameter's: PostgreSQL text cannot hold NUL.
                if utf8.contains(0) {
                    throw PostgresError(code: .usage, summary: "a parameter contains a NUL byte, which PostgreSQL text cannot store")
                }
                append(Int32(utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }
        return bytes
    }

    /// A malloc'd copy (freed with `free`, as `strdup`'s are).
    private static func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar> {
        let memory = malloc(max(bytes.count, 1))!
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return memory.assumingMemoryBound(to: CChar.self)
    }
}
