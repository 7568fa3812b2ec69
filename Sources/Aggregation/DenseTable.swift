/// A map whose values sit side by side in one array, found through a dictionary of positions;
/// entries are added and replaced, never removed (the worker's entities are never deleted).
///
/// A `Dictionary` keeps a value in every bucket, and its buckets are a power of two at most three
/// quarters full: right after it doubles, half of them are empty slots the size of a value. With
/// an order's state (about 200 bytes) that was the largest table of the worker's state, and the
/// doubling of its tables made a step of ~130 MB in the worker's memory near the end of a 5M-event
/// run. Here an empty bucket holds a key and a 32-bit position, and the values grow by an eighth.
public struct DenseTable<Key: Hashable, Value> {
    private var positions: [Key: Int32] = [:]
    private var values: ContiguousArray<Value> = []

    public init() {}

    /// How many keys have a value.
    public var count: Int { values.count }

    /// Whether no key has a value.
    public var isEmpty: Bool { values.isEmpty }

    /// The value stored for `key`.
    public subscript(key: Key) -> Value? {
        guard let position = positions[key] else { return nil }
        return values[Int(position)]
    }

    /// Stores `value` for `key`, replacing the one there.
    public mutating func set(_ value: Value, for key: Key) {
        if let position = positions[key] {
            values[Int(position)] = value
            return
        }
        // An eighth more, not Array's doubling: the array stays nearly full, and the copy made
        // while it grows is of the values only.
        if values.count == values.capacity { values.reserveCapacity(values.count + values.count / 8 + 16) }
        positions[key] = Int32(values.count)
        values.append(value)
    }

    /// Stores every value of `other`, replacing the ones there.
    public mutating func merge(_ other: [Key: Value]) {
        for (key, value) in other { set(value, for: key) }
    }
}

extension DenseTable: Sendable where Key: Sendable, Value: Sendable {}
