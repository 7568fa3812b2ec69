import Foundation

/// Bar lengths of the funnel chart on a logarithmic scale: impressions outnumber payments by orders of
/// magnitude, and on a linear scale the stages that matter most would be invisible slivers.
public struct FunnelGeometry: Sendable, Equatable {
    /// Where the bars start (the stage names sit to their left).
    public static let left = 150
    /// The longest bar, the largest stage's.
    public static let maximumWidth = 700

    public let largest: Int

    public init(values: [Int]) {
        largest = values.max() ?? 0
    }

    /// `maximumWidth × log10(value + 1) / log10(largest + 1)`, one decimal; 0 for 0.
    public func width(_ value: Int) -> String {
        guard value > 0, largest > 0 else { return "0" }
        let share = log10(Double(value) + 1) / log10(Double(largest) + 1)
        // Even a count of 1 against the largest Int keeps about 11 units: no floor needed for visibility.
        return String(format: "%.1f", Double(Self.maximumWidth) * min(1, share))
    }
}
