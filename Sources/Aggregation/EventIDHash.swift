import Crypto

/// An event id as the first 16 bytes of its SHA-256: how the worker remembers every applied id in
/// memory and stores them, a batch's worth in one value (`pipeline.applied_batches`).
///
/// A cryptographic hash, because ids come from outside: nobody can make an id collide with another
/// on purpose and so have a real event taken for a repeat. PostgreSQL computes the same value as
/// `substring(sha256(convert_to(id, 'UTF8')) FROM 1 FOR 16)`.
public struct EventIDHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(id: String) {
        var text = id
        let digest = text.withUTF8 { SHA256.hash(data: $0) }
        self = digest.withUnsafeBytes { bytes in
            var high: UInt64 = 0, low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(bytes[index])
                low = low << 8 | UInt64(bytes[index + 8])
            }
            return EventIDHash(high: high, low: low)
        }
    }

    public static func < (lhs: EventIDHash, rhs: EventIDHash) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    /// 32 lower-case hex digits, as PostgreSQL's `encode(…, 'hex')` writes the 16 bytes.
    public var description: String { Self.hex(high) + Self.hex(low) }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// The hashes concatenated as hex (a `bytea` value's `encode(…, 'hex')`).
    public static func hex<S: Sequence>(_ hashes: S) -> String where S.Element == EventIDHash {
        // Byte by byte: two Strings per hash (`description`) were a visible share of a batch's commit.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hashes.underestimatedCount * 32)
        func append(_ word: UInt64) {
            for shift in stride(from: 60, through: 0, by: -4) {
                bytes.append(hexDigits[Int(truncatingIfNeeded: (word >> UInt64(shift)) & 0xf)])
            }
        }
        for hash in hashes {
            append(hash.high)
            append(hash.low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Reads hashes from concatenated hex; nil if the text is not whole 32-digit hashes.
    public static func parse(hex text: String) -> [EventIDHash]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 32 == 0 else { return nil }
        var result: [EventIDHash] = []
        result.reserveCapacity(bytes.count / 32)
        var index = 0
        while index < bytes.count {
            guard let high = word(bytes, index), let low = word(bytes, index + 16) else { return nil }
            result.append(EventIDHash(high: high, low: low))
            index += 32
        }
        return result
    }

    private static func word(_ bytes: [UInt8], _ start: Int) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes[start..<start + 16] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
