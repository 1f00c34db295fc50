import Dispatch
import Foundation

/// Work started now on a Dispatch worker thread, whose result is awaited later.
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

/// The results of `count` pieces of work, in order, each started a window ahead of the one taken:
/// how `ingest` and the bundle verifier parse evidence on every core while they store it one piece
/// at a time in order. The store never waits for a parse it could have had, and memory stays
/// bounded by the window.
public struct AheadWindow<Value: Sendable> {
    private let count: Int
    private let window: Int
    private let work: @Sendable (Int) -> Value
    private var started: [Ahead<Value>] = []
    private var next = 0

    /// `work(index)` for every index below `count`; by default two pieces per core are under way.
    public init(count: Int, window: Int = max(2, ProcessInfo.processInfo.activeProcessorCount * 2), work: @escaping @Sendable (Int) -> Value) {
        self.count = count
        self.window = max(1, window)
        self.work = work
    }

    /// The next result in order; nil after the last.
    public mutating func next() async -> Value? {
        while next < count, started.count < window {
            let index = next
            started.append(Ahead { [work] in work(index) })
            next += 1
        }
        guard !started.isEmpty else { return nil }
        return await started.removeFirst().value
    }
}
