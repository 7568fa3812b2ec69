/// Every error of the Normalizers module: why an input request produced no events (the input field, a query
/// parameter or JSON path, and the problem, safe to return as a 4xx), or why a Telegram deep link was refused.
public struct NormalizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field as the sender named it (`cost_money_value`, `deal.status`, `events_by_user[0].events[1].event_data.status`).
    public let field: String
    public let problem: String
    /// Set when a deep-link token could not be made or was refused: the bot answers the member with `description`.
    public let deepLink: DeepLink?

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
        deepLink = nil
    }

    /// A deep-link refusal; reads as a case at call sites (`throw .deepLink(.forged)`).
    public static func deepLink(_ refusal: DeepLink) -> NormalizationError {
        NormalizationError(field: refusal.field, problem: refusal.problem, deepLink: refusal)
    }

    private init(field: String, problem: String, deepLink: DeepLink) {
        self.field = field
        self.problem = problem
        self.deepLink = deepLink
    }

    /// `"<field>: <problem>"`, e.g. `cost_money_value: must be a decimal number, got "abc"`; a deep-link refusal's
    /// own text, which is what the bot replies.
    public var description: String { deepLink?.description ?? "\(field): \(problem)" }
}
