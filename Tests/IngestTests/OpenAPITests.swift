import Foundation
import Ingest
import Testing

@Suite struct OpenAPITests {
    /// `schemas/openapi.yaml`, found from this file's place in the repository.
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("schemas/openapi.yaml")

    /// (method, path) pairs under `paths:`: a line scan, enough for our own hand-written document.
    static func documentedRoutes(_ text: String) -> Set<IngestRoute> {
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        var routes: Set<IngestRoute> = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if let first = line.first, first != " " && first != "#" { break }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { routes.insert(IngestRoute(method: method.uppercased(), path: path)) }
            }
        }
        return routes
    }

    @Test func theDocumentDescribesExactlyTheRouterRoutes() async throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1"))
        let documented = Self.documentedRoutes(text)
        let harness = try IngestHarness()
        let served = IngestApplication.routes(of: harness.router)
        #expect(!served.isEmpty)
        #expect(documented == served, "only documented: \(documented.subtracting(served)); only served: \(served.subtracting(documented))")
    }
}
