import CChildProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with wait4: what the tests and the benchmark
/// use instead of Foundation's `Process`, whose `run()` on Linux (Swift 6.3.1) now and then crashes
/// reading a directory entry while it closes descriptors.
///
/// Every descriptor of ours but 0, 1 and 2 is closed in the child, so a daemon it starts (the
/// throwaway PostgreSQL) can never hold a test's socket or pipe open. Waiting does not depend on
/// descriptors at all: it is `wait4` on the pid.
// @unchecked Sendable: `termination` and the pipe descriptors are guarded by `lock`; the rest is immutable.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Output: Sendable {
        /// The parent's own stream.
        case inherit
        /// `/dev/null`.
        case discard
        /// A file, created or truncated (`append`: written at its end).
        case file(String, append: Bool = false)
        /// A pipe to the parent, read with `readOutput()` or `run`.
        case capture
        /// For standard error: wherever standard output goes (`2>&1`).
        case standardOutput
    }

    /// How a child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit code, when it exited.
        public var exitCode: Int32?
        /// The signal that ended it, when a signal did.
        public var signal: Int32?
        /// The exit code, or the signal number when a signal ended it (what Foundation's
        /// `terminationStatus` reports).
        public var status: Int32 { exitCode ?? signal ?? -1 }
        /// True for an exit with code 0.
        public var succeeded: Bool { exitCode == 0 }

        init(waitStatus: Int32) {
            if waitStatus & 0x7f == 0 {
                exitCode = (waitStatus >> 8) & 0xff
            } else {
                signal = waitStatus & 0x7f
            }
        }
    }

    /// What the child used, as the kernel accounted it.
    public struct Usage: Sendable {
        /// The exit code, or 128 + the signal number (the shell's convention).
        public var status: Int32
        public var wall: Duration
        public var userSeconds: Double
        public var systemSeconds: Double
        /// Peak resident set size, in bytes.
        public var peakRSS: Int
        public var cpuSeconds: Double { userSeconds + systemSeconds }
    }

    /// What a finished `run` produced.
    public struct Outcome: Sendable {
        public var termination: Termination
        public var standardOutput: String
        public var standardError: String
        /// See `Termination.status`.
        public var status: Int32 { termination.status }
    }

    /// The child's process id.
    public let pid: pid_t
    private let started = ContinuousClock.now
    private let lock = NSLock()
    private var termination: Termination?
    private var rusageAtExit = rusage()
    private var outputDescriptor: Int32?
    private var errorDescriptor: Int32?

    /// Starts `executable` (a path; no PATH search: use `/usr/bin/env` for that).
    ///
    /// - Parameters:
    ///   - environment: set on top of this process's environment (`inheritEnvironment`) or alone.
    ///   - workingDirectory: the child's current directory (nil: ours).
    ///   - standardInput: a file to read, or nil for `/dev/null`.
    /// - Throws: `TestSupportError.childProcess` when the program cannot be started.
    public init(executable: String, arguments: [String] = [], environment: [String: String] = [:],
                inheritEnvironment: Bool = true, workingDirectory: String? = nil, standardInput: String? = nil,
                standardOutput: Output = .inherit, standardError: Output = .inherit) throws {
        var merged = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        for (name, value) in environment { merged[name] = value }

        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        var pipes: [Int32] = []  // every pipe end we made, closed in the parent after the spawn unless kept
        var keptOutput: Int32?
        var keptError: Int32?
        defer { for descriptor in pipes where descriptor != keptOutput && descriptor != keptError { close(descriptor) } }

        posix_spawn_file_actions_addopen(&fileActions, 0, standardInput ?? "/dev/null", O_RDONLY, 0)
        func route(_ output: Output, to target: Int32) throws -> Int32? {
            switch output {
            case .inherit:
                return nil
            case .discard:
                posix_spawn_file_actions_addopen(&fileActions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path, let append):
                posix_spawn_file_actions_addopen(
                    &fileActions, target, path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o644)
            case .standardOutput:
                posix_spawn_file_actions_adddup2(&fileActions, 1, target)
            case .capture:
                // O_CLOEXEC: no other child started meanwhile may inherit the write end, or we would never see EOF.
                var ends: [Int32] = [-1, -1]
                guard c_child_process_pipe_cloexec(&ends) == 0 else { throw TestSupportError.childProcess("pipe: \(String(cString: strerror(errno)))") }
                pipes += ends
                posix_spawn_file_actions_adddup2(&fileActions, ends[1], target)
                return ends[0]
            }
            return nil
        }
        keptOutput = try route(standardOutput, to: 1)
        keptError = try route(standardError, to: 2)
        c_child_process_addclosefrom(&fileActions, 3)
        if let workingDirectory { c_child_process_addchdir(&fileActions, workingDirectory) }

        // Signals back to their defaults and none blocked: a test runner that ignores SIGPIPE or blocks
        // SIGTERM must not hand that on to the program under test.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &fileActions, &attributes, argv, envp)
        guard result == 0 else {
            keptOutput = nil
            keptError = nil
            throw TestSupportError.childProcess("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        outputDescriptor = keptOutput
        errorDescriptor = keptError
    }

    deinit {
        for descriptor in [outputDescriptor, errorDescriptor].compactMap({ $0 }) { close(descriptor) }
    }

    /// Runs a program to its end, its standard output and error captured, and returns what it printed
    /// and how it ended. Both pipes are drained together, so a chatty child never blocks on a full one.
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
                           workingDirectory: String? = nil, mergeStandardError: Bool = false) throws -> Outcome {
        let child = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory,
            standardOutput: .capture, standardError: mergeStandardError ? .standardOutput : .capture)
        let (output, errors) = child.readOutput()
        return Outcome(termination: child.wait(), standardOutput: output, standardError: errors)
    }

    /// Reads the captured streams to their end (the child closed them, usually by exiting), decoded as UTF-8.
    /// Call once; a stream that was not `.capture` reads as "".
    public func readOutput() -> (standardOutput: String, standardError: String) {
        let (output, errors) = lock.withLock { () -> (Int32?, Int32?) in
            defer { outputDescriptor = nil; errorDescriptor = nil }
            return (outputDescriptor, errorDescriptor)
        }
        var open = [output, errors].compactMap { $0 }
        var collected: [Int32: [UInt8]] = [:]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in polled where entry.revents != 0 {
                let count = Glibc.read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    collected[entry.fd, default: []] += buffer[..<count]
                } else if count == 0 || errno != EINTR {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        for descriptor in open { close(descriptor) }
        func text(_ descriptor: Int32?) -> String {
            descriptor.map { String(decoding: collected[$0] ?? [], as: UTF8.self) } ?? ""
        }
        return (text(output), text(errors))
    }

    /// How it ended, once it has (nil while it runs). Reaps the child when it just ended.
    public var exited: Termination? {
        reap(blocking: false)
    }

    /// True until the child has ended.
    public var isRunning: Bool { exited == nil }

    /// Blocks until the child ends and returns how; later calls return the same at once.
    @discardableResult
    public func wait() -> Termination {
        reap(blocking: true)!
    }

    /// Blocks up to `limit` for the child to end; nil if it still runs then.
    public func wait(upTo limit: Duration) -> Termination? {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if let ended = exited { return ended }
            usleep(10_000)
        }
        return exited
    }

    /// Sends `signal` (e.g. SIGTERM, SIGKILL, SIGINT) unless the child was already reaped, so the
    /// signal can never reach another process that got the pid since.
    public func send(_ signal: Int32) {
        lock.withLock {
            if termination == nil { _ = kill(pid, signal) }
        }
    }

    /// SIGTERM: the graceful stop an orchestrator asks for.
    public func terminate() { send(SIGTERM) }

    /// SIGKILL: the crash nothing can intercept.
    public func forceKill() { send(SIGKILL) }

    private func reap(blocking: Bool) -> Termination? {
        while true {
            if let known = lock.withLock({ termination }) { return known }
            var status: Int32 = 0
            var usage = rusage()
            let reaped = wait4(pid, &status, blocking ? 0 : WNOHANG, &usage)
            if reaped == pid {
                return lock.withLock {
                    // The lock also keeps `send` from signalling between the reap and this record.
                    if termination == nil {
                        termination = Termination(waitStatus: status)
                        rusageAtExit = usage
                    }
                    return termination
                }
            }
            if reaped == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: another thread reaped it and is about to record the status.
            if !blocking { return lock.withLock { termination } }
            usleep(1_000)
        }
    }

    // MARK: The benchmark's measurements

    /// Blocks until the child exits; its status, wall time since start, CPU time and peak RSS.
    ///
    /// The peak is the child's own high-water mark (`VmHWM`), read every 20 ms while it runs:
    /// wait4's `ru_maxrss` is useless here, because posix_spawn starts the child on the parent's
    /// memory (vfork) and Linux keeps that memory's peak, so it reported the benchmark's own
    /// footprint (the mock broker holding every message) as the worker's.
    public func waitMeasuring() -> Usage {
        Self.waitAll([self])[0]
    }

    /// Blocks until every child exited; each one's usage as `waitMeasuring` gives it, wall time up to its own exit.
    public static func waitAll(_ children: [ChildProcess]) -> [Usage] {
        var usages = [Usage?](repeating: nil, count: children.count)
        var peaks = [Int](repeating: 0, count: children.count)
        while usages.contains(where: { $0 == nil }) {
            for (index, child) in children.enumerated() where usages[index] == nil {
                if let ended = child.exited {
                    usages[index] = child.usage(ended, peak: peaks[index])
                } else {
                    peaks[index] = max(peaks[index], highWaterMark(of: child.pid) ?? 0)
                }
            }
            if usages.contains(where: { $0 == nil }) { usleep(20_000) }
        }
        return usages.map { $0! }
    }

    private func usage(_ ended: Termination, peak: Int) -> Usage {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        let usage = lock.withLock { rusageAtExit }
        return Usage(status: ended.exitCode ?? 128 + (ended.signal ?? 0), wall: started.duration(to: .now),
                     userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime), peakRSS: peak)
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
}
