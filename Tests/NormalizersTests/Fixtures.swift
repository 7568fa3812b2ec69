import Crypto
import Events
import Foundation
@testable import Normalizers

/// Shared inputs for the normalizer tests, shaped as docs/INPUTS.md shows them.
enum Fixtures {
    static let context = ProjectContext(project: "school1", salt: "s4lt", timeZone: TimeZone(identifier: "Europe/Moscow")!)

    static let receivedAt = Instant(rfc3339: "2026-01-15T10:00:00Z")!

    /// Decodes a query string the way a web server would (`+` is a space), so tests can use INPUTS.md's URLs verbatim.
    static func query(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part) }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func instant(_ text: String) -> Instant { Instant(rfc3339: text)! }
}
