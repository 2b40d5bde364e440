#if canImport(Glibc)
import Glibc
#endif

/// Big arrays read and written at random (object types, span tables, the dominator search's arrays)
/// are asked to live on 2 MiB pages: with 4 KiB pages nearly every random access of a multi-GB
/// analysis misses the TLB, and on a virtual machine each miss costs a two-level page walk.
///
/// Only a hint (Linux `madvise(MADV_HUGEPAGE)`, honoured when transparent huge pages are in
/// `always` or `madvise` mode); it must be given before the memory is first touched, so these
/// helpers advise the fresh allocation and only then initialize it. Small buffers are left alone.
public enum HugePages {
    /// Allocations below this are not advised (glibc serves them from its heap, not fresh pages).
    static let threshold = 4 << 20

    /// Advises the whole 2 MiB pages inside `[start, start + bytes)`.
    public static func advise(_ start: UnsafeMutableRawPointer?, bytes: Int) {
        #if os(Linux)
        guard let start, bytes >= threshold else { return }
        let huge = 2 << 20
        let first = (Int(bitPattern: start) + huge - 1) & ~(huge - 1)
        let end = (Int(bitPattern: start) + bytes) & ~(huge - 1)
        guard end > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(p, end - first, 14)  // MADV_HUGEPAGE
        #endif
    }

    /// `count` uninitialized elements, advised.
    public static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: count)
        advise(UnsafeMutableRawPointer(p), bytes: count * MemoryLayout<T>.stride)
        return p
    }
}

extension Array where Element: BitwiseCopyable {
    /// `[Element](repeating: value, count: count)`, on huge pages when it is big.
    public static func hugePaged(repeating value: Element, count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawPointer(buffer.baseAddress), bytes: count * MemoryLayout<Element>.stride)
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// An empty array with room for `capacity` elements, on huge pages when it is big.
    public static func hugePaged(capacity: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            HugePages.advise(UnsafeMutableRawPointer(buffer.baseAddress), bytes: capacity * MemoryLayout<Element>.stride)
            initialized = 0
        }
    }
}
