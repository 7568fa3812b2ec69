import Dispatch

/// A value computed on a global queue while the caller does something else (the next batch's
/// decoding, the entity tables' loading); `wait` returns it, or rethrows what the work threw.
final class BackgroundWork<Value, Failure: Error>: @unchecked Sendable {
    // Safe: `outcome` is written once before `done` is signalled (on the worker thread, or in
    // `init(finished:)`), and read only after `wait` took that signal. The body touches only what
    // the caller leaves to it until then.
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Value, Failure>?

    /// Starts `body` on a global queue.
    init(_ body: @escaping () throws(Failure) -> Value) {
        nonisolated(unsafe) let body = body
        DispatchQueue.global().async {
            self.outcome = Result { () throws(Failure) in try body() }
            self.done.signal()
        }
    }

    /// Work with nothing to do: `wait` returns `value` at once.
    init(finished value: Value) where Failure == Never {
        outcome = .success(value)
        done.signal()
    }

    /// The value, once the work ended; call once.
    func wait() throws(Failure) -> Value {
        done.wait()
        return try outcome!.get()
    }
}
