import Events

/// A tag's figures (a launch, a flow, an expert...) in the period and in the previous period of the same length.
public struct TagRow: Sendable, Equatable {
    /// The part before the tag's first `:` (`launch` of `launch:2026-10`), `''` for a tag without one.
    public var kind: String
    public var value: String
    public var current: SalesFigures
    public var previous: SalesFigures

    public init(kind: String, value: String, current: SalesFigures, previous: SalesFigures) {
        self.kind = kind
        self.value = value
        self.current = current
        self.previous = previous
    }
}
