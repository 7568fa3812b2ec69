import Events

/// A product × offer's figures in the period and in the previous period of the same length.
public struct ProductRow: Sendable, Equatable {
    /// `''` for orders whose state names no product; nil for payments whose order has no event yet.
    public var product: String?
    /// `''` for orders whose state names no offer; nil for payments whose order has no event yet.
    public var offer: String?
    public var current: SalesFigures
    public var previous: SalesFigures

    public init(product: String?, offer: String?, current: SalesFigures, previous: SalesFigures) {
        self.product = product
        self.offer = offer
        self.current = current
        self.previous = previous
    }
}
