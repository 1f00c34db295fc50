import Dispatch

/// Work started now on a Dispatch worker thread, whose result is awaited later: how the bundle
/// verifier reads and parses evidence ahead of storing it.
///
/// The work is CPU-bound and runs for milliseconds to tens of milliseconds (a Terraform state).
/// On the cooperative pool, which has a thread per core, a few such tasks would hold every thread,
/// and the task that stores what they produced would wait for one of them to finish each time it
/// resumes from the store's queue, thousands of times a quarter. On Dispatch threads the system
/// scheduler shares the cores between them and that task instead.
public struct Ahead<Value: Sendable>: Sendable {
    private let task: Task<Value, Never>

    public init(_ work: @escaping @Sendable () -> Value) {
        task = Task {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: work()) }
            }
        }
    }

    /// The work's result, once it is done.
    public var value: Value {
        get async { await task.value }
    }
}
