/// Whether a payment's latest word is that the money came in or went back.
public enum PaymentStatus: String, Sendable, Hashable, CaseIterable {
    case accepted
    case refunded
}
