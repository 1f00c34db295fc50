import Evidence
import Foundation
import Testing

@Suite("Two passes over the same bytes")
struct AlongsideTests {
    @Test("both passes see every byte, the other on another thread, and both results come back")
    func bothPassesRun() {
        let bytes = Data((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let expected = bytes.reduce(0) { $0 &+ Int($1) }
        let caller = pthread_self()
        let (here, there) = Alongside.run(
            over: bytes,
            here: { data in (sum: data.reduce(0) { $0 &+ Int($1) }, thread: pthread_self()) },
            there: { data in (sum: data.reduce(0) { $0 &+ Int($1) }, count: data.count, thread: UInt(pthread_self())) })
        #expect(here.sum == expected)
        #expect(pthread_equal(here.thread, caller) != 0)
        #expect(there.sum == expected)
        #expect(there.count == bytes.count)
        #expect(there.thread != UInt(caller))
    }

    @Test("empty bytes are lent as empty")
    func emptyBytes() {
        let (here, there) = Alongside.run(over: Data(), here: { $0.count }, there: { $0.count })
        #expect(here == 0 && there == 0)
    }
}
