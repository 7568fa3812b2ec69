import Dispatch

/// A task executor on threads of its own, outside Swift's cooperative pool, for the fake servers
/// of the tests (`withTaskExecutorPreference(OffPoolExecutor.shared)`).
///
/// The cooperative pool has as many threads as cores (two on CI), and synchronous tests (a worker
/// run, a chaos scenario) hold a thread each for minutes. A fake that answered from that pool then
/// answered late or not at all, and clients under test timed out ("no answer", NSURLError -1001)
/// after 30 s in a fresh-clone run. A queue created here gets threads beyond the cores when its
/// jobs wait, so a fake answers however long the other tests hold the pool.
public final class OffPoolExecutor: TaskExecutor {
    /// The executor every fake server shares.
    public static let shared = OffPoolExecutor()

    private let queue = DispatchQueue(label: "off-pool-executor", attributes: .concurrent)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
