/// Why the throwaway server could not be started, restarted or used.
public struct ThrowawayPostgresError: Error, CustomStringConvertible {
    /// What the script or step reported.
    public let message: String
    public var description: String { "ThrowawayPostgresError: \(message)" }
}
