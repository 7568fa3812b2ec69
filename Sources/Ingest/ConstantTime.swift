/// Comparisons of secrets whose duration does not depend on where the first difference is.
enum ConstantTime {
    /// True when both strings have the same bytes. Only the length of `expected` can leak through timing.
    static func equals(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        for index in 0..<b.count {
            difference |= (index < a.count ? a[index] : 0) ^ b[index]
        }
        return difference == 0
    }
}
