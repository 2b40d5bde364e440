#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable stack of `UInt32` on malloc'd memory, for hot loops: `push`/`pop` without the
/// uniqueness and bounds checks of `Array`. Growth uses `realloc`, which for large blocks
/// remaps pages instead of copying (no transient doubling of memory on Linux).
///
/// Invariants: `0 <= count <= capacity`; `base[0..<count]` are the elements, bottom first.
/// Noncopyable: the memory is freed exactly once, by `deinit` (or early, via `release()`).
struct UInt32Stack: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt32>
    private(set) var capacity: Int
    /// Number of elements; may be lowered directly to drop elements from the top.
    var count: Int = 0

    init(capacity: Int) {
        let cap = max(capacity, 1024)
        guard let raw = malloc(cap * MemoryLayout<UInt32>.stride) else {
            fatalError("UInt32Stack: out of memory (\(cap) elements)")
        }
        base = raw.bindMemory(to: UInt32.self, capacity: cap)
        self.capacity = cap
    }

    deinit { free(base) }

    /// Frees the memory now.
    consuming func release() {}

    @inline(__always)
    mutating func push(_ x: UInt32) {
        if count == capacity { grow() }
        base[count] = x
        count += 1
    }

    /// Removes and returns the top element; the stack must not be empty.
    @inline(__always)
    mutating func pop() -> UInt32 {
        count -= 1
        return base[count]
    }

    @inline(never)
    private mutating func grow() {
        let cap = capacity * 2
        guard let raw = realloc(base, cap * MemoryLayout<UInt32>.stride) else {
            fatalError("UInt32Stack: out of memory (\(cap) elements)")
        }
        base = raw.bindMemory(to: UInt32.self, capacity: cap)
        capacity = cap
    }
}
