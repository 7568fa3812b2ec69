import Events

/// Currency rates: base-currency units for one unit of a currency, from a day on.
public struct FxRates: Sendable {
    /// base currency → currency → rates sorted by day.
    private var rates: [String: [String: [(day: LocalDate, rate: DecimalNumber)]]] = [:]

    public init() {}

    /// Adds a rate (a later `add` for the same day replaces the earlier one).
    public mutating func add(base: String, currency: String, day: LocalDate, rate: DecimalNumber) {
        var list = rates[base, default: [:]][currency, default: []]
        if let index = list.firstIndex(where: { $0.day == day }) {
            list[index].rate = rate
        } else {
            let position = list.firstIndex { $0.day > day } ?? list.count
            list.insert((day, rate), at: position)
        }
        rates[base, default: [:]][currency] = list
    }

    /// SPEC §4: the latest rate on or before `day`; 1 for the base currency itself; nil if unknown.
    public func rate(of currency: String, in base: String, on day: LocalDate) -> DecimalNumber? {
        if currency == base { return 1 }
        guard let list = rates[base]?[currency] else { return nil }
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].day <= day { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : list[low - 1].rate
    }

    /// The outcome of converting one amount.
    public enum Conversion: Sendable, Equatable {
        case converted(DecimalNumber)
        case missingRate
        /// The exact product does not fit 38 digits: no real amount, and never a reason to trap.
        case tooLarge

        /// The converted amount, if there is one.
        public var value: DecimalNumber? {
            if case .converted(let value) = self { return value }
            return nil
        }
    }

    /// `amount` in the base currency, rounded to cents half away from zero.
    public func convert(_ amount: DecimalNumber, from currency: String, to base: String, on day: LocalDate) -> Conversion {
        guard let rate = rate(of: currency, in: base, on: day) else { return .missingRate }
        guard let product = amount.multipliedExactly(by: rate) else { return .tooLarge }
        return .converted(product.rounded(toScale: 2))
    }
}
