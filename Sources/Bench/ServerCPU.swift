import Foundation
import Logging
import Postgres

/// CPU time of the PostgreSQL server beside the worker: the postmaster, the processes it runs
/// (backends, WAL writer, checkpointer) and those it reaped, read from Linux's `/proc`. The
/// difference of two readings is what the server spent in between: on a shared machine, the
/// worker's and the server's CPU per event together bound the events per second.
struct ServerCPU {
    /// The postmaster's process id (the first line of `postmaster.pid` in the data directory).
    let postmasterID: Int32

    /// Finds the postmaster of the server at `databaseURL` (a superuser may read `data_directory`).
    init(databaseURL: String, logger: Logger) throws {
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        let directory = try connection.execute("SHOW data_directory").rows[0].decode(0, as: String.self)
        let lock = try String(contentsOfFile: directory + "/postmaster.pid", encoding: .utf8)
        guard let first = lock.split(separator: "\n").first, let id = Int32(first.trimmingCharacters(in: .whitespaces)) else {
            throw BenchError("\(directory)/postmaster.pid: no process id on its first line")
        }
        postmasterID = id
    }

    /// CPU seconds (user + system) of the postmaster, its live children and its reaped ones so far.
    func seconds() throws -> Double {
        guard let own = Self.stat(of: postmasterID) else {
            throw BenchError("/proc/\(postmasterID)/stat: not readable (is the server running?)")
        }
        var ticks = own.userTicks + own.systemTicks + own.reapedChildrenTicks
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let id = Int32(entry), id != postmasterID, let child = Self.stat(of: id),
                  child.parentID == postmasterID else { continue }
            ticks += child.userTicks + child.systemTicks
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func stat(of id: Int32) -> ProcessTimes? {
        // A process may end between the listing and this read: it is then simply not counted
        // here (its time reaches the postmaster's reaped total once it is reaped).
        guard let line = try? String(contentsOfFile: "/proc/\(id)/stat", encoding: .utf8) else { return nil }
        return ProcessTimes(statLine: line)
    }
}

/// The fields of one `/proc/<pid>/stat` line that `ServerCPU` adds up, in clock ticks.
struct ProcessTimes: Equatable {
    var parentID: Int32
    var userTicks: Int64
    var systemTicks: Int64
    /// User and system time of children that ended and were waited for (`cutime` + `cstime`).
    var reapedChildrenTicks: Int64

    init(parentID: Int32, userTicks: Int64, systemTicks: Int64, reapedChildrenTicks: Int64) {
        self.parentID = parentID
        self.userTicks = userTicks
        self.systemTicks = systemTicks
        self.reapedChildrenTicks = reapedChildrenTicks
    }

    /// Parses a stat line; the command name (field 2, in parentheses) may hold spaces and
    /// parentheses itself, so the fields are counted from its last `)`.
    init?(statLine: String) {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        // Fields 3 onwards: state, ppid, pgrp, session, tty_nr, tpgid, flags, minflt, cminflt,
        // majflt, cmajflt, utime, stime, cutime, cstime, ...
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        guard fields.count >= 15, let parent = Int32(fields[1]), let user = Int64(fields[11]),
              let system = Int64(fields[12]), let reapedUser = Int64(fields[13]), let reapedSystem = Int64(fields[14])
        else { return nil }
        parentID = parent
        userTicks = user
        systemTicks = system
        reapedChildrenTicks = reapedUser + reapedSystem
    }
}
