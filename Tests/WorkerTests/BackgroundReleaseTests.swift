import Dispatch
import Foundation
import Testing
@testable import Worker

/// A recorded batch is freed on another thread than the owner's (`RunningCommit.releaseBatch`).
@Suite("background release")
struct BackgroundReleaseTests {
    /// Signals, from its deinit, whether it ran on the thread it was made on.
    final class Probe: @unchecked Sendable {
        // Safe: written once at init, read by deinit only.
        let madeOn = pthread_self()
        let freed: DispatchSemaphore
        nonisolated(unsafe) static var freedOnOtherThread: [Bool] = []

        init(freed: DispatchSemaphore) { self.freed = freed }

        deinit {
            let other = pthread_equal(madeOn, pthread_self()) == 0
            Self.lock.withLock { Self.freedOnOtherThread.append(other) }
            freed.signal()
        }

        static let lock = NSLock()
    }

    @Test("the value is left empty here and freed on another thread")
    func freedElsewhere() {
        let freed = DispatchSemaphore(value: 0)
        var values = (0..<100).map { _ in Probe(freed: freed) }
        BackgroundRelease.release(&values, replacingWith: [])
        #expect(values.isEmpty)
        for _ in 0..<100 { #expect(freed.wait(timeout: .now() + 10) == .success) }
        let threads = Probe.lock.withLock { Probe.freedOnOtherThread }
        #expect(threads == Array(repeating: true, count: 100))
    }
}
