import Foundation
import PipelineTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The posix_spawn helper every test and the benchmark start processes with.
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("arguments, environment and working directory reach the child; both streams are captured apart")
    func argumentsEnvironmentDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", #"printf '%s|%s|%s' "$1" "$CHILD_TEST" "$(pwd -P)"; echo oops >&2; exit 3"#, "sh", "two words"],
            environment: ["CHILD_TEST": "set"], workingDirectory: directory.path)
        #expect(run.standardOutput == "two words|set|\(directory.resolvingSymlinksInPath().path)")
        #expect(run.standardError == "oops\n")
        #expect(run.termination.exitCode == 3 && run.termination.signal == nil && run.status == 3)
    }

    @Test("megabytes on both pipes at once do not deadlock")
    func largeOutput() throws {
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", "head -c 3000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"])
        #expect(run.status == 0)
        #expect(run.standardOutput.utf8.count == 3_000_000)
        #expect(run.standardError.utf8.count == 2_000_000)
    }

    @Test("SIGTERM and SIGKILL end a background child; the signal is reported, not an exit code")
    func signals() throws {
        for signal in [SIGTERM, SIGKILL] {
            let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
            #expect(child.isRunning)
            child.send(signal)
            let ended = child.wait()
            #expect(ended.signal == signal && ended.exitCode == nil && ended.status == signal)
            #expect(!child.isRunning)
            // Sending again after the reap is a no-op, never a signal to a recycled pid.
            child.send(SIGKILL)
            #expect(child.wait() == ended)
        }
    }

    @Test("output to a file, standard error after it, and a timed wait that gives up")
    func filesAndTimedWait() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: file) }
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2"],
            standardOutput: .file(file.path), standardError: .standardOutput)
        #expect(child.wait().succeeded)
        #expect(try String(contentsOf: file, encoding: .utf8) == "out\nerr\n")

        let sleeper = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(sleeper.wait(upTo: .milliseconds(100)) == nil)
        sleeper.terminate()
        #expect(sleeper.wait().signal == SIGTERM)
    }

    @Test("a program that does not exist is an error at start")
    func missingProgram() {
        #expect(throws: TestSupportError.self) {
            try ChildProcess(executable: "/nonexistent/program-\(UUID())")
        }
    }
}
