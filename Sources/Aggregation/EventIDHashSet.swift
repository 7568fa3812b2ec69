/// A set of event id hashes split into 256 sets by the hash's first byte (uniform: it is
/// SHA-256's). Growing one set of millions of hashes holds its old and its new table at once,
/// hundreds of MB for a worker's applied ids at 5M events; a shard grows by 1/256 of that.
public struct EventIDHashSet: Sendable {
    private static let shardCount = 256
    private var shards: [Set<EventIDHash>]
    /// How many hashes are in the set.
    public private(set) var count = 0

    /// An empty set with room for `minimumCapacity` hashes without growing.
    public init(minimumCapacity: Int = 0) {
        let perShard = minimumCapacity > 0 ? minimumCapacity / Self.shardCount + 1 : 0
        shards = (0..<Self.shardCount).map { _ in Set(minimumCapacity: perShard) }
    }

    private static func shard(of hash: EventIDHash) -> Int { Int(truncatingIfNeeded: hash.high >> 56) }

    public func contains(_ hash: EventIDHash) -> Bool {
        shards[Self.shard(of: hash)].contains(hash)
    }

    /// Adds each hash not in the set yet.
    public mutating func formUnion<S: Sequence>(_ hashes: S) where S.Element == EventIDHash {
        for hash in hashes where shards[Self.shard(of: hash)].insert(hash).inserted { count += 1 }
    }
}
