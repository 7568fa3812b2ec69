import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `pipeline` executable that tests run as a real subprocess.
public enum PipelineExecutable {
    /// The executable built beside the test bundle (or named by `PIPELINE_BIN`).
    public static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["PIPELINE_BIN"] { return URL(fileURLWithPath: path) }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pipeline")
        guard FileManager.default.isExecutableFile(atPath: besideTests.path) else {
            throw TestSupportError.executableMissing(path: besideTests.path)
        }
        return besideTests
    }

    /// A TCP port on 127.0.0.1 nobody listens on now, for a child process to bind.
    ///
    /// Picked below the kernel's ephemeral range (32768–60999 on Linux), where neither `bind(0)` nor
    /// an outgoing connection ever lands: a port the kernel picked and this function released could be
    /// handed to another test's listener or client before the child binds it, and the child would then
    /// fail with "address already in use". Each port is returned at most once per test process.
    public static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: childPortRange)
            guard claimedPorts.withLock({ $0.insert(port).inserted }) else { continue }
            if try canBind(port: port) { return port }
        }
        throw TestSupportError.loopback("no free port in \(childPortRange) after 200 tries")
    }

    /// Where `freePort()` picks: below Linux's default ephemeral range.
    static let childPortRange = 20_000...32_000
    private static let claimedPorts = Mutex<Set<Int>>([])

    /// Whether a listener could bind 127.0.0.1:`port` now (the socket is closed again at once).
    private static func canBind(port: Int) throws -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSupportError.loopback("socket: \(String(cString: strerror(errno)))") }
        defer { close(socketFD) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// The status code of one HTTP/1.1 request without a body, over a fresh connection to 127.0.0.1.
    public static func requestStatus(port: Int, path: String, method: String = "POST") throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSupportError.loopback("socket: \(String(cString: strerror(errno)))") }
        defer { close(socketFD) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError.loopback("connect: \(String(cString: strerror(errno)))") }
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        guard send(socketFD, request, request.count, 0) == request.count else { throw TestSupportError.loopback("send failed") }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 12 {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[..<count]
        }
        let statusLine = String(decoding: response.prefix(12), as: UTF8.self)
        guard statusLine.hasPrefix("HTTP/1.1 "), let code = Int(statusLine.dropFirst(9).prefix(3)) else {
            throw TestSupportError.loopback("no HTTP status in \(statusLine)")
        }
        return code
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}

/// Runs a blocking body (libpq, librdkafka, subprocess waits) on a thread of its own, so tests that
/// run for a minute in parallel never hold the cooperative pool's few threads.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
