/// A set of event id hashes kept as 65,536 sorted arrays, chosen by a hash's first 16 bits: about
/// 17 bytes an id where a `Set<EventIDHash>` takes 21–43 (its buckets are a power of two at most
/// three-quarters full), and it grows a small array at a time, never by copying the whole set.
///
/// The worker holds every applied id (millions): this set was the largest part of its state. The
/// hashes are SHA-256 prefixes, uniform already, so their bits choose the array and the place in
/// it with no hashing.
public struct EventIDHashSet: Sendable {
    private static let shardBits = 16
    private var shards: [ContiguousArray<EventIDHash>]
    public private(set) var count = 0

    public init() {
        shards = Array(repeating: [], count: 1 << Self.shardBits)
    }

    /// Makes room for `total` hashes in all, spread evenly: loading a stored set then moves no array.
    public mutating func reserveCapacity(_ total: Int) {
        // Below one a shard, reserving would allocate 65,536 small arrays for nothing.
        guard total >= 1 << Self.shardBits else { return }
        let perShard = total >> Self.shardBits
        let wanted = perShard + perShard / 8 + 4
        for index in shards.indices where shards[index].capacity < wanted {
            shards[index].reserveCapacity(wanted)
        }
    }

    public func contains(_ hash: EventIDHash) -> Bool {
        let shard = shards[Self.shardIndex(of: hash)]
        let position = Self.firstIndex(notBelow: hash, in: shard)
        return position < shard.count && shard[position] == hash
    }

    /// Adds `hash`; false if it was there already.
    @discardableResult
    public mutating func insert(_ hash: EventIDHash) -> Bool {
        let index = Self.shardIndex(of: hash)
        let position = Self.firstIndex(notBelow: hash, in: shards[index])
        if position < shards[index].count, shards[index][position] == hash { return false }
        let shardCount = shards[index].count
        // An eighth more, not Array's doubling: the arrays stay nearly full.
        if shardCount == shards[index].capacity { shards[index].reserveCapacity(shardCount + shardCount / 8 + 4) }
        shards[index].insert(hash, at: position)
        count += 1
        return true
    }

    public mutating func formUnion<S: Sequence>(_ hashes: S) where S.Element == EventIDHash {
        for hash in hashes { insert(hash) }
    }

    /// Every hash, in ascending order.
    public var sorted: [EventIDHash] { Array(shards.joined()) }

    private static func shardIndex(of hash: EventIDHash) -> Int {
        Int(truncatingIfNeeded: hash.high >> UInt64(64 - shardBits))
    }

    /// The first position whose hash is not below `hash`. The hashes are uniform, so the bits
    /// after the shard's give the position to within a few places (interpolation); steps that
    /// double from there bound it and a binary search ends it. That touches one or two cache lines
    /// where a binary search over the whole array touched one per step, and hashes that do crowd
    /// together cost a logarithm, not a walk.
    private static func firstIndex(notBelow hash: EventIDHash, in shard: ContiguousArray<EventIDHash>) -> Int {
        let count = shard.count
        let guess = Int(truncatingIfNeeded: (hash.high << UInt64(shardBits)).multipliedFullWidth(by: UInt64(count)).high)
        // The answer lies in low...high: every position below low holds a smaller hash, and high
        // is count or holds one not below.
        var low = guess, high = guess, step = 1
        if guess < count, shard[guess] < hash {
            low = guess + 1
            high = min(count, low + step)
            while high < count, shard[high] < hash {
                low = high + 1
                step <<= 1
                high = min(count, low + step)
            }
        } else {
            high = guess
            low = max(0, high - step)
            while low > 0, !(shard[low] < hash) {
                high = low
                step <<= 1
                low = max(0, high - step)
            }
        }
        while low < high {
            let middle = (low + high) >> 1
            if shard[middle] < hash { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
