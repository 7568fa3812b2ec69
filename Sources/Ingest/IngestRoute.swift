/// One (method, path pattern) the server answers, as listed in `schemas/openapi.yaml`.
public struct IngestRoute: Sendable, Hashable, CustomStringConvertible {
    public var method: String
    /// Hummingbird pattern syntax, `{name}` for a parameter, as in OpenAPI.
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }
}
