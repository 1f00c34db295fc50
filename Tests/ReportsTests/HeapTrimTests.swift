import Reports
import Testing

@Suite("Heap")
struct HeapTrimTests {
    #if os(Linux)
    @Test("glibc takes the cap of two malloc arenas per core")
    func arenasAreShared() {
        #expect(HeapTrim.shareArenas())
    }
    #endif
}
