import Crypto
import Foundation

/// Hashing and comparison shared by the normalizers, so every personal-data hash is salted the same way.
enum Digests {
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// SPEC §2: salt first, then the lower-cased trimmed address, so two spellings of one address agree.
    static func emailSHA256(_ email: String, salt: String) -> String {
        sha256Hex(salt + email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
    }

    /// Compares every byte whatever the first difference, so response time says nothing about how much of a forged signature was right.
    static func timingSafeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
