import HeapGraph
/// The type of every heap object (a `HeapTypeRef` raw value per object id) in one fixed allocation:
/// read and written in the hottest loops, so no copy-on-write and no reference counting.
///
/// Invariant: `count` never changes; the memory lives as long as the `GoHeap` that owns it (which
/// frees it), so a store must not outlive its heap.
public struct ObjectTypeStore: RandomAccessCollection, @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<UInt32>
    public let count: Int

    init(count: Int) {
        self.count = count
        base = HugePages.allocate(UInt32.self, count: Swift.max(count, 1))
        base.initialize(repeating: HeapTypeRef.unknown.raw, count: Swift.max(count, 1))
    }

    func free() { base.deallocate() }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable
    public subscript(i: Int) -> UInt32 {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// The address of object `i`'s entry, for prefetching.
    @inlinable
    public func address(of i: Int) -> UnsafeRawPointer { UnsafeRawPointer(base + i) }
}
