import Events
import Foundation

/// Renewed tokens kept across restarts: one JSON file per account in the state directory, written
/// atomically (a temporary file renamed over the old one) and readable by the service user only (0600).
public struct TokenStore: Sendable {
    /// What is kept of one account's tokens.
    public struct Entry: Sendable, Equatable, Codable {
        public var accessToken: String
        /// The refresh token now in force (VK and Yandex may hand out a new one on renewal).
        public var refreshToken: String?
        /// Microseconds since the epoch; nil when the network gave no lifetime.
        public var expiresAtMicros: Int64?
        public var obtainedAtMicros: Int64
        /// FNV-1a of the refresh token configured when this entry was made: when the operator configures a
        /// new one (re-consent), it differs and the configured token wins over the stored one.
        public var configuredFingerprint: String

        public init(accessToken: String, refreshToken: String?, expiresAtMicros: Int64?, obtainedAtMicros: Int64, configuredFingerprint: String) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.expiresAtMicros = expiresAtMicros
            self.obtainedAtMicros = obtainedAtMicros
            self.configuredFingerprint = configuredFingerprint
        }
    }

    /// The directory the files live in (`<state directory>/tokens`); created 0700 on the first save.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The file of `key`; keys are reduced to letters, digits, `-`, `_` and `.` so no key escapes the directory.
    public func fileURL(_ key: String) -> URL {
        let safe = String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return directory.appendingPathComponent("\(safe).json")
    }

    /// The stored entry of `key`, or nil when there is none or it cannot be read (then the configured tokens serve).
    public func load(_ key: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: fileURL(key).path) else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    /// Writes `entry` atomically with mode 0600.
    public func save(_ entry: Entry, as key: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = fileURL(key)
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        let data = try JSONEncoder().encode(entry)
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw PollError.tokenStore(path: temporary.path, errno: errno) }
        // open's mode is filtered by the umask; 0600 is set explicitly so the file is never wider.
        fchmod(descriptor, 0o600)
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0 else {
            unlink(temporary.path)
            throw PollError.tokenStore(path: temporary.path, errno: errno)
        }
        guard rename(temporary.path, target.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw PollError.tokenStore(path: target.path, errno: code)
        }
    }
}
