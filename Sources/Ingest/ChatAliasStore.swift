import Foundation
import Normalizers
#if canImport(Glibc)
import Glibc
#endif

/// Telegram chat migrations (old group id → new supergroup id) per project, kept in memory and, with a state
/// directory, in the file `telegram-chat-aliases.json` there, so a restart keeps them.
///
/// A migration is announced once (`migrate_to_chat_id` / `migrate_from_chat_id`) and cannot be derived from
/// the ids themselves, so it must be remembered. The file is rewritten whole, through a temporary file that is
/// synced and then renamed over the old one: a crash leaves either the old map or the new one, never a torn one.
/// The map changes only after the file is written, and a failed write refuses the update (503), so Telegram
/// sends it again rather than the alias living in memory only.
///
/// Normalizing inside the actor makes read-aliases → normalize → store-aliases atomic, so two concurrent
/// updates cannot lose a migration.
public actor ChatAliasStore {
    /// The file name inside the state directory.
    public static let fileName = "telegram-chat-aliases.json"

    private var aliases: [String: [String: String]]
    private let file: URL?

    /// An in-memory store: aliases are lost on restart.
    public init() {
        aliases = [:]
        file = nil
    }

    /// A store persisted under `stateDirectory` (created if missing), loaded from the file left there by an earlier run.
    ///
    /// - Throws: `ChatAliasStore.Failure` when the directory cannot be created or the file exists but is not a
    ///   `{project: {old id: new id}}` JSON object: starting without the aliases would silently split chats.
    public init(stateDirectory: URL) throws {
        let file = stateDirectory.appendingPathComponent(Self.fileName)
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw Failure(message: "state directory \(stateDirectory.path): cannot be created (\(error.localizedDescription))")
        }
        var loaded: [String: [String: String]] = [:]
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                loaded = try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: file))
            } catch {
                throw Failure(message: "\(file.path): must be a JSON object {project: {old chat id: new chat id}}")
            }
        }
        self.aliases = loaded
        self.file = file
    }

    /// Why the store could not be opened or written.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// The aliases of one project, as persisted.
    public func aliases(of project: String) -> [String: String] {
        aliases[project] ?? [:]
    }

    /// Returns a `Result` rather than throwing: Swift 6.3.1 crashes compiling a typed throw caught across an actor hop.
    func normalize(_ update: [UInt8], with normalizer: TelegramUpdate) -> Result<TelegramUpdate.Output, IngestError> {
        let project = normalizer.context.project
        let current = aliases[project] ?? [:]
        let output: TelegramUpdate.Output
        do {
            output = try normalizer.normalize(update: update, chatAliases: current)
        } catch {
            return .failure(.badInput(error))
        }
        guard output.chatAliases != current else { return .success(output) }
        var next = aliases
        next[project] = output.chatAliases
        if let file {
            do {
                // Blocking file I/O on the actor: migrations are rare (once per group), so this is not a hot path.
                try Self.write(next, to: file)
            } catch {
                return .failure(.stateUnavailable)
            }
        }
        aliases = next
        return .success(output)
    }

    /// Writes the whole map to a synced temporary file, then renames it over `file`.
    static func write(_ aliases: [String: [String: String]], to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(aliases)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(Self.fileName).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw Failure(message: "\(temporary.path): cannot be created")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, file.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(message: "\(file.path): rename failed (errno \(errno))")
        }
        // The rename itself is durable once the directory entry is synced.
        let directory = open(file.deletingLastPathComponent().path, O_RDONLY)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
