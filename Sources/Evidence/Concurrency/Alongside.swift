import Dispatch
import Foundation
import Synchronization

/// Two passes over the same bytes at once: one on the calling thread, the other on a Dispatch worker
/// thread, for CPU-bound work of similar length (a report's canonical digest and its schema
/// validation). The calling thread waits for the other pass to finish before it returns.
///
/// The bytes are lent to both passes for that time and copied by neither: the other pass sees them
/// as a `Data` that does not own its memory, and must keep nothing of it once it returns.
public enum Alongside {
    public static func run<Here, There: Sendable>(
        over bytes: Data, here: (Data) -> Here, there: @escaping @Sendable (Data) -> There
    ) -> (here: Here, there: There) {
        bytes.withUnsafeBytes { buffer in
            let lent = Lent(buffer)
            let slot = Slot<There>()
            let done = DispatchGroup()
            DispatchQueue.global().async(group: done) {
                let view = lent.base.map {
                    Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: $0), count: lent.count, deallocator: .none)
                } ?? Data()
                slot.put(there(view))
            }
            let mine = here(bytes)
            done.wait()
            guard let theirs = slot.take() else { preconditionFailure("the other pass ended without a result") }
            return (mine, theirs)
        }
    }

    /// Memory lent across threads while its owner waits; valid until the owner's scope ends.
    private struct Lent: @unchecked Sendable {
        let base: UnsafeRawPointer?
        let count: Int

        init(_ buffer: UnsafeRawBufferPointer) {
            base = buffer.baseAddress
            count = buffer.count
        }
    }

    /// Where the other pass leaves its result.
    private final class Slot<Value: Sendable>: Sendable {
        private let value = Mutex<Value?>(nil)

        func put(_ result: sending Value) { value.withLock { $0 = result } }
        func take() -> Value? { value.withLock { $0.take() } }
    }
}
