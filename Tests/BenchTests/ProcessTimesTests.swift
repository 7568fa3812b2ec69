@testable import Bench
import Glibc
import Testing

/// `ServerCPU` adds up fields of `/proc/<pid>/stat` lines, counted from the command name's last `)`.
@Suite("process times")
struct ProcessTimesTests {
    @Test("the parent, own and reaped children's ticks of a stat line")
    func fields() throws {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        let line = "4242 (postgres) S 4000 4000 4000 0 -1 4194560 900 12 0 0 731 96 1500 220 20 0 1 0 2892616 3133440 381"
        let times = try #require(ProcessTimes(statLine: line))
        #expect(times == ProcessTimes(parentID: 4000, userTicks: 731, systemTicks: 96, reapedChildrenTicks: 1720))
    }

    @Test("a command name holding spaces and parentheses")
    func awkwardName() throws {
        let line = "77 (postgres: postgres bench 127.0.0.1(51234) idle) S 12 77 77 0 -1 4194368 5 0 0 0 40 7 0 0 20 0 1 0 9"
        let times = try #require(ProcessTimes(statLine: line))
        #expect(times == ProcessTimes(parentID: 12, userTicks: 40, systemTicks: 7, reapedChildrenTicks: 0))
    }

    @Test("lines that are cut short or not numbers are refused", arguments: [
        "",
        "12 (postgres S 1 2 3",
        "12 (postgres) S 1 2 3 0 -1 4194368 5 0 0 0 40 7 0",
        "12 (postgres) S one 2 3 0 -1 4194368 5 0 0 0 40 7 0 0 20",
    ])
    func refused(line: String) {
        #expect(ProcessTimes(statLine: line) == nil)
    }

    @Test("this process's own line names its parent")
    func ownProcess() throws {
        let line = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let times = try #require(ProcessTimes(statLine: line))
        #expect(times.parentID == getppid())
    }
}
