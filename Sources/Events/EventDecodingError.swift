/// Why a JSON document is not a valid event: the field's JSON path and the problem, safe to return to the sender.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A dotted JSON path such as `data.amount`; `$` for the document itself.
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `"<field>: <problem>"`, e.g. `data.currency: must be a 3-letter ISO 4217 code`.
    public var description: String { "\(field): \(problem)" }
}
