/// The type-specific part of an event; the case decides the envelope's `type`, so the two cannot disagree.
public enum EventData: Sendable, Hashable {
    case click(Click)
    case registration(Registration)
    case order(Order)
    case payment(Payment)
    case mail(Mail)
    case chat(Chat)
    case adStats(AdStats)
    case identity(Identity)
    case learning(Learning)

    public var type: EventType {
        switch self {
        case .click: .click
        case .registration: .registration
        case .order: .order
        case .payment: .payment
        case .mail: .mail
        case .chat: .chat
        case .adStats: .adStats
        case .identity: .identity
        case .learning: .learning
        }
    }
}
