/// One state of an order (`type: order`); the latest state by `occurred_at` is the order's current one.
public struct Order: Sendable, Hashable {
    /// The most tags an order event may carry (SPEC §2's validity rule of this product).
    public static let maximumTags = 50
    /// The longest tag accepted, in Unicode code points.
    public static let maximumTagLength = 200

    public var orderID: String
    public var userID: String
    public var status: OrderStatus
    /// The order's price; zero is allowed (free orders exist).
    public var amount: DecimalNumber
    /// ISO 4217 code, three uppercase letters.
    public var currency: String
    public var product: String?
    /// The tariff or offer sold.
    public var offer: String?
    /// Absent means the order has no manager (SPEC 4.8), not "unchanged".
    public var managerID: String?
    /// The manager's name as the platform shows it (staff, not customer data).
    public var managerName: String?
    /// The platform's tags of the order, as given (duplicates allowed; `kind:value` by convention).
    public var tags: [String]?
    /// The deal's own UTM tags, when the platform knows them (SPEC §3's deal attribution).
    public var utm: UTM?
    public var createdAt: Instant

    public init(orderID: String, userID: String, status: OrderStatus, amount: DecimalNumber, currency: String,
                product: String? = nil, offer: String? = nil, managerID: String? = nil, managerName: String? = nil,
                tags: [String]? = nil, utm: UTM? = nil, createdAt: Instant) {
        self.orderID = orderID
        self.userID = userID
        self.status = status
        self.amount = amount
        self.currency = currency
        self.product = product
        self.offer = offer
        self.managerID = managerID
        self.managerName = managerName
        self.tags = tags
        self.utm = utm
        self.createdAt = createdAt
    }
}
