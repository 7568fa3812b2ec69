/// Why an input request produced no events: the input field (query parameter or JSON path) and the problem, safe to return as a 4xx.
public struct NormalizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field as the sender named it (`cost_money_value`, `deal.status`, `events_by_user[0].events[1].event_data.status`).
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    /// `"<field>: <problem>"`, e.g. `cost_money_value: must be a decimal number, got "abc"`.
    public var description: String { "\(field): \(problem)" }
}
