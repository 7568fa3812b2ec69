import Foundation

/// How far each export got, as confirmed by Kafka: a rerun skips rows up to `rowsDone` (overlap would be harmless
/// anyway, since event ids are deterministic; the checkpoint saves the time and the API quota).
public struct BackfillCheckpoint: Codable, Sendable, Hashable {
    /// One export's progress.
    public struct Entry: Codable, Sendable, Hashable {
        /// The table's identity when these rows were done (a content digest or an export id).
        public var identity: String
        /// Rows (1-based ordinals) up to and including this one had every event delivered.
        public var rowsDone: Int
        public var finished: Bool
        /// The Export API's export id, so a resumed run reads the same export instead of spending quota on a new one.
        public var exportID: Int?

        public init(identity: String, rowsDone: Int = 0, finished: Bool = false, exportID: Int? = nil) {
            self.identity = identity
            self.rowsDone = rowsDone
            self.finished = finished
            self.exportID = exportID
        }
    }

    public var version = 1
    /// Keyed by `<kind>:<file name>` or `api:<kind>`.
    public var entries: [String: Entry] = [:]

    public init() {}

    /// The export an interrupted API import was reading, to be read again; nil once that import finished,
    /// so the next run asks for fresh data.
    public func resumableExportID(_ key: String) -> Int? {
        entries[key].flatMap { $0.finished ? nil : $0.exportID }
    }
}

/// The checkpoint on disk: read once, rewritten whole (temporary file + rename) so a crash leaves the old or the new one.
public struct CheckpointFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The stored checkpoint, or an empty one when the file does not exist yet.
    public func load() throws -> BackfillCheckpoint {
        guard FileManager.default.fileExists(atPath: path) else { return BackfillCheckpoint() }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            return try JSONDecoder().decode(BackfillCheckpoint.self, from: data)
        } catch {
            throw BackfillError.checkpoint("\(path): not a backfill checkpoint (\(error)); delete it to start over")
        }
    }

    public func save(_ checkpoint: BackfillCheckpoint) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(checkpoint)
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            throw BackfillError.checkpoint("\(path): cannot replace the checkpoint (errno \(errno))")
        }
    }
}
