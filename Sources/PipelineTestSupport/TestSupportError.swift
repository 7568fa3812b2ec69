/// Every error of PipelineTestSupport: a child process, a loopback socket or the throwaway server that failed.
public enum TestSupportError: Error, CustomStringConvertible {
    /// A child process that could not be started or read, with what went wrong.
    case childProcess(String)
    /// A loopback socket call that failed, with what failed.
    case loopback(String)
    /// Why the throwaway server could not be started, restarted or used: what the script or step reported.
    case throwawayPostgres(message: String)
    /// The `pipeline` executable was not built beside the test bundle.
    case executableMissing(path: String)

    public var description: String {
        switch self {
        case .childProcess(let problem): problem
        case .loopback(let problem): problem
        // The prefix is the name of the type this case replaced, kept so the text stays byte-identical.
        case .throwawayPostgres(let message): "ThrowawayPostgresError: \(message)"
        case .executableMissing(let path): "pipeline executable not found at \(path): build with `swift build --build-tests`"
        }
    }
}
