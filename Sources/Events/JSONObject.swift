/// A JSON object that remembers member order and the first repeated name, so validation can report both precisely.
public struct JSONObject: Sendable, Equatable {
    /// Member names in document order, each once.
    public internal(set) var keys: [String] = []
    /// Each name's value (the first one when the name is repeated).
    public internal(set) var members: [String: JSONValue] = [:]
    /// Kept instead of failing in the parser, so the error can carry the object's path.
    public internal(set) var firstDuplicateKey: String?

    public subscript(key: String) -> JSONValue? { members[key] }
}
