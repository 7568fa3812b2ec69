/// The nine kinds of fact the pipeline carries; the raw value is the envelope's `type`.
public enum EventType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case click
    case registration
    case order
    case payment
    case mail
    case chat
    case adStats = "ad_stats"
    case identity
    case learning

    public var description: String { rawValue }
}
