import Foundation
import SeededRandom

// The demo's draws, written out rather than taken from the standard library, whose algorithms
// (`Int.random(in:using:)`, …) may differ between platforms: a seed must give the same month everywhere.
extension SeededGenerator {
    /// Uniform in [0, 1), from the top 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    /// Uniform in the range.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        var left = unit() * items.reduce(0) { $0 + $1.1 }
        for (item, weight) in items {
            left -= weight
            if left < 0 { return item }
        }
        return items[items.count - 1].0
    }

    /// Poisson counts, so a day's clicks scatter around the mean as real traffic does (Knuth's method; means here are small).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 500 { return max(0, Int((mean + mean.squareRoot() * uniform(-1.7...1.7)).rounded())) }
        var count = 0
        var product = unit()
        let limit = exp(-mean)
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }
}
