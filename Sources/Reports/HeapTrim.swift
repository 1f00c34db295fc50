#if os(Linux)
import CMalloc
#endif

import Foundation

/// Handing freed memory back to the system between the phases of a bank-scale command, and keeping
/// less of it aside in the first place.
///
/// glibc keeps what a thread frees in that thread's arena. After the evidence of a quarter has been
/// read and judged on several threads, a few hundred MB lie free in those arenas and still count in
/// the process's resident size while a 100 MB report is being rendered; `malloc_trim` returns them.
public enum HeapTrim {
    /// Returns the free pages of every arena to the system (a no-op where the C library has no such call).
    public static func now() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
    }

    /// Caps glibc's malloc arenas at two per core (its default allows eight per core), so that the
    /// threads that parse, hash and validate a quarter share arenas instead of each keeping what it
    /// freed in its own. `report` and `bundle` call it before they start any work: at bank scale on 2
    /// cores their peak falls from 495–522 MiB to ~440–460 MiB. Other commands do not: sharing
    /// arenas makes threads wait for each other's allocations, and `check` of a quarter twice the
    /// bank's size took ~12% longer with it.
    @discardableResult
    public static func shareArenas() -> Bool {
        #if os(Linux)
        return mallopt(M_ARENA_MAX, Int32(2 * max(1, ProcessInfo.processInfo.activeProcessorCount))) == 1
        #else
        return false
        #endif
    }
}
