import Foundation

/// Locates the shared sample files and schemas from this source file, so the same files serve the
/// Swift decoder and the Python schema check without being copied into a bundle.
enum Samples {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let directory = testsDirectory.appendingPathComponent("Samples")
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let schemaDirectory = packageRoot.appendingPathComponent("schemas/events")

    static func files(_ kind: String) -> [URL] {
        let folder = directory.appendingPathComponent(kind)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0) }
    }

    static var valid: [URL] { files("valid") }
    static var invalid: [URL] { files("invalid") }

    static func bytes(_ url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }

    /// Sample file name → expected `EventDecodingError.description`.
    static func expectedErrors() throws -> [String: String] {
        let data = try Data(contentsOf: directory.appendingPathComponent("expected-errors.json"))
        return try JSONDecoder().decode([String: String].self, from: data)
    }
}
