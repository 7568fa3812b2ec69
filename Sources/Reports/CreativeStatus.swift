/// A creative's burnout status (SPEC §4.2), the first that holds of new, burnt out, stagnating, growing.
public enum CreativeStatus: String, Sendable, CaseIterable {
    case new
    case burntOut = "burnt_out"
    case stagnating
    case growing

    /// The words a reader sees.
    public var label: String {
        switch self {
        case .new: "new"
        case .burntOut: "burnt out"
        case .stagnating: "stagnating"
        case .growing: "growing"
        }
    }

    /// Whether the marketer should look at it: it spends without paying back, or pays back ever less.
    public var isBurning: Bool { self == .burntOut || self == .stagnating }
}
