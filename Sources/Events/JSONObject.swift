/// A JSON object that remembers member order and the first repeated name, so validation can report both precisely.
struct JSONObject: Sendable, Equatable {
    var keys: [String] = []
    var members: [String: JSONValue] = [:]
    /// Kept instead of failing in the parser, so the error can carry the object's path.
    var firstDuplicateKey: String?

    subscript(key: String) -> JSONValue? { members[key] }
}
