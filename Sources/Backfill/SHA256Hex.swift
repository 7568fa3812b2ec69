import Crypto

/// Hex SHA-256 of a file's bytes: the checkpoint's way of knowing it resumes the same file.
enum SHA256Hex {
    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
