#if canImport(Glibc)
import Glibc
#endif

/// Allocator settings of the long-running worker process.
enum HeapTuning {
    /// Blocks of 1 MiB and more get pages of their own, given back to the system when freed.
    /// glibc otherwise raises that bound to the largest block freed so far (up to 32 MiB), after
    /// which each batch's arrays, parameter texts and results come from the heap and leave it
    /// fragmented: at 1M users the worker's peak RSS was 612 MB by default and 513 MB with this,
    /// for about 1.5 s more system time per million events (BENCHMARKS.md).
    static func giveLargeBlocksBack() {
        #if canImport(Glibc)
        // `mallopt` and M_MMAP_THRESHOLD (-3) are in <malloc.h>, which Swift's Glibc module leaves
        // out; the function is looked up in the C library already loaded.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        #endif
    }
}
