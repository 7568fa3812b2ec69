import Foundation

/// A JSON object that remembers member order and the first repeated name, so validation can report both precisely.
///
/// Names are compared byte for byte (String's `==` is canonical equivalence, looser than JSON's
/// names). Members are kept in one array (name, its hash, value) and looked up by a linear
/// search over the hashes, faster than a dictionary for the dozen members of an event; an object
/// of more members also gets an index.
public struct JSONObject: Sendable, Equatable {
    /// One member. Name, hash and value share one array: three arrays were three allocations
    /// for every object of every event (an envelope, its data and its UTM tags).
    private struct Member: Sendable {
        var key: String
        /// A 64-bit hash of the name's bytes (`nameHash`): the linear search compares these, and
        /// the bytes only where they match (comparing the names' bytes for every member was a
        /// twentieth of the worker's CPU).
        var hash: UInt64
        var value: JSONValue
    }

    private var entries: [Member] = []
    /// Kept instead of failing in the parser, so the error can carry the object's path.
    public internal(set) var firstDuplicateKey: String?
    /// The position of each name, built once the object has more than `linearLimit` members.
    private var positions: [UTF8Name: Int]?

    private static let linearLimit = 16
    private static let initialCapacity = 12

    public init() {}

    /// Member names in document order, each once.
    public var keys: [String] { entries.map(\.key) }
    /// Each name's value (the first one when the name is repeated), in the order of `keys`.
    public var values: [JSONValue] { entries.map(\.value) }
    /// How many distinct names the object has.
    public var count: Int { entries.count }

    public subscript(key: String) -> JSONValue? {
        position(of: key).map { entries[$0].value }
    }

    /// Every member by name.
    public var members: [String: JSONValue] {
        Dictionary(zip(keys, values), uniquingKeysWith: { first, _ in first })
    }

    /// Adds a member; a name already present keeps its first value and is remembered as the first
    /// repeated name if it is one.
    mutating func add(_ key: String, _ value: JSONValue) {
        let hash = Self.nameHash(key)
        guard position(of: key, hash: hash) == nil else {
            if firstDuplicateKey == nil { firstDuplicateKey = key }
            return
        }
        // Room for an event's envelope or data at once: growing the array 1, 2, 4, 8, 16 was a
        // twentieth of the worker's CPU.
        if entries.isEmpty { entries.reserveCapacity(Self.initialCapacity) }
        entries.append(Member(key: key, hash: hash, value: value))
        if positions != nil {
            positions![UTF8Name(key)] = entries.count - 1
        } else if entries.count > Self.linearLimit {
            positions = Dictionary(uniqueKeysWithValues: entries.enumerated().map { (UTF8Name($0.element.key), $0.offset) })
        }
    }

    /// The position of the member of this name in `keys`.
    func position(of key: String) -> Int? {
        position(of: key, hash: positions == nil ? Self.nameHash(key) : 0)
    }

    /// As `position(of:)`, given `key`'s `nameHash` (unused once `positions` is built).
    private func position(of key: String, hash: UInt64) -> Int? {
        if let positions { return positions[UTF8Name(key)] }
        for index in entries.indices where entries[index].hash == hash && entries[index].key.hasSameUTF8(as: key) {
            return index
        }
        return nil
    }

    /// A 64-bit hash of the name's UTF-8 bytes, eight at a time (byte-wise FNV-1a, latency-bound
    /// at a multiply per byte, was 3 % of the worker's CPU). Equal bytes give equal hashes, which
    /// is all `position(of:)` needs: a match is confirmed by comparing the bytes.
    static func nameHash(_ name: String) -> UInt64 {
        func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var hash = 0x9e37_79b9_7f4a_7c15 ^ UInt64(bytes.count)
            var offset = 0
            let raw = UnsafeRawBufferPointer(bytes)
            while offset + 8 <= bytes.count {
                hash = mix(hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            if offset < bytes.count {
                // One copy of the last 1-7 bytes into a zeroed word (a byte loop with variable
                // shifts held most of the samples: member names are mostly shorter than 8 bytes).
                var tail: UInt64 = 0
                withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset...])) }
                hash = mix(hash ^ tail)
            }
            return hash
        }
        func mix(_ value: UInt64) -> UInt64 {
            let product = value &* 0xbf58_476d_1ce4_e5b9
            return product ^ (product >> 31)
        }
        if let hashed = name.utf8.withContiguousStorageIfAvailable(hash) { return hashed }
        var copy = name
        return copy.withUTF8(hash)
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values && lhs.firstDuplicateKey == rhs.firstDuplicateKey
    }
}

/// A name hashed and compared by its UTF-8 bytes.
private struct UTF8Name: Hashable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (lhs: UTF8Name, rhs: UTF8Name) -> Bool { lhs.text.hasSameUTF8(as: rhs.text) }

    func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// Whether both strings are the same bytes in UTF-8 (`==` is canonical equivalence, looser).
    package func hasSameUTF8(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var left = self, right = other
        return left.withUTF8 { leftBytes in
            right.withUTF8 { rightBytes in
                leftBytes.isEmpty || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0
            }
        }
    }

    /// Whether the text holds U+0000 (the byte 0 in UTF-8), which PostgreSQL text cannot hold.
    package var containsNUL: Bool {
        var text = self
        return text.withUTF8 { $0.contains(0) }
    }
}
