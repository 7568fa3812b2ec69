/// One state of a payment (`type: payment`); each `payment_id` is one fact, refunded or not.
public struct Payment: Sendable, Hashable {
    public var paymentID: String
    public var orderID: String
    public var userID: String
    /// Always greater than zero: a refund is a status, never a negative amount.
    public var amount: DecimalNumber
    /// ISO 4217 code, three uppercase letters.
    public var currency: String
    public var status: PaymentStatus

    public init(paymentID: String, orderID: String, userID: String, amount: DecimalNumber, currency: String, status: PaymentStatus) {
        self.paymentID = paymentID
        self.orderID = orderID
        self.userID = userID
        self.amount = amount
        self.currency = currency
        self.status = status
    }
}
