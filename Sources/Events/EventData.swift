/// The type-specific part of an event; the case decides the envelope's `type`, so the two cannot disagree.
///
/// The five cases whose payloads are larger than a mail event's are kept in a box of their own
/// (`indirect`): an enum is as large as its largest case, and an order (240 bytes) made every
/// event 320 bytes in the worker's batch arrays, which hold tens of thousands of events each.
public enum EventData: Sendable, Hashable {
    indirect case click(Click)
    indirect case registration(Registration)
    indirect case order(Order)
    indirect case payment(Payment)
    case mail(Mail)
    case chat(Chat)
    indirect case adStats(AdStats)
    case identity(Identity)
    case learning(Learning)

    // Not inlined: Swift 6.3.1's optimizer, inlining this switch over the indirect cases into a
    // caller, fails its own ownership check and aborts the release build.
    @inline(never)
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
