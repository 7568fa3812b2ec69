/// One state of an order (`type: order`); the latest state by `occurred_at` is the order's current one.
public struct Order: Sendable, Hashable {
    public var orderID: String
    public var userID: String
    public var status: OrderStatus
    /// The order's price; zero is allowed (free orders exist).
    public var amount: DecimalNumber
    /// ISO 4217 code, three uppercase letters.
    public var currency: String
    public var product: String?
    /// Absent means the order has no manager (SPEC 4.8), not "unchanged".
    public var managerID: String?
    public var createdAt: Instant

    public init(orderID: String, userID: String, status: OrderStatus, amount: DecimalNumber, currency: String, product: String? = nil, managerID: String? = nil, createdAt: Instant) {
        self.orderID = orderID
        self.userID = userID
        self.status = status
        self.amount = amount
        self.currency = currency
        self.product = product
        self.managerID = managerID
        self.createdAt = createdAt
    }
}
