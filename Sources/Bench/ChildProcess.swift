import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with wait4, so the benchmark gets the
/// child's own CPU time and peak RSS (Foundation's Process gives neither).
public final class ChildProcess {
    /// What the child used, as the kernel accounted it.
    public struct Usage: Sendable {
        public var status: Int32
        public var wall: Duration
        public var userSeconds: Double
        public var systemSeconds: Double
        /// Peak resident set size, in bytes.
        public var peakRSS: Int
        public var cpuSeconds: Double { userSeconds + systemSeconds }
    }

    public let pid: pid_t
    private let started = ContinuousClock.now

    /// Starts `executable` with `arguments`, the current environment plus `environment`, standard
    /// output and error redirected to the given files (nil: inherited).
    public init(executable: String, arguments: [String], environment: [String: String] = [:],
                standardOutput: String? = nil, standardError: String? = nil) throws {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let standardOutput {
            posix_spawn_file_actions_addopen(&fileActions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        if let standardError {
            posix_spawn_file_actions_addopen(&fileActions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &fileActions, nil, argv, envp)
        guard result == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    /// Blocks until the child exits; its status, wall time since start, CPU time and peak RSS.
    ///
    /// The peak is the child's own high-water mark (`VmHWM`), read every 20 ms while it runs:
    /// wait4's `ru_maxrss` is useless here, because posix_spawn starts the child on the parent's
    /// memory (vfork) and Linux keeps that memory's peak, so it reported the benchmark's own
    /// footprint (the mock broker holding every message) as the worker's.
    public func wait() -> Usage {
        Self.waitAll([self])[0]
    }

    /// Blocks until every child exited; each one's usage as `wait` gives it, wall time up to its own exit.
    public static func waitAll(_ children: [ChildProcess]) -> [Usage] {
        var usages = [Usage?](repeating: nil, count: children.count)
        var peaks = [Int](repeating: 0, count: children.count)
        while usages.contains(where: { $0 == nil }) {
            for (index, child) in children.enumerated() where usages[index] == nil {
                var status: Int32 = 0
                var usage = rusage()
                let reaped = wait4(child.pid, &status, WNOHANG, &usage)
                if reaped == child.pid || (reaped == -1 && errno != EINTR) {
                    usages[index] = child.usage(status: status, rusage: usage, peak: peaks[index])
                } else {
                    peaks[index] = max(peaks[index], highWaterMark(of: child.pid) ?? 0)
                }
            }
            if usages.contains(where: { $0 == nil }) { usleep(20_000) }
        }
        return usages.map { $0! }
    }

    private func usage(status: Int32, rusage usage: rusage, peak: Int) -> Usage {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Usage(status: exit, wall: started.duration(to: .now), userSeconds: seconds(usage.ru_utime),
                     systemSeconds: seconds(usage.ru_stime), peakRSS: peak)
    }

    /// `VmHWM` of a running process, in bytes; nil once it has exited.
    static func highWaterMark(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).dropLast(3)
                  .trimmingCharacters(in: .whitespaces))
        else { return nil }
        return kilobytes * 1024
    }

    /// Asks the child to stop (SIGTERM).
    public func terminate() { kill(pid, SIGTERM) }
}

/// A benchmark step that could not be carried out, with what went wrong.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
