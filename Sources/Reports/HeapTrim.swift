#if os(Linux)
import CMalloc
#endif

/// Handing freed memory back to the system between the phases of a bank-scale command.
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
}
