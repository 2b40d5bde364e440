import GoRuntime

/// The bytes each graph node accounts for, one byte per object: its span's size class (the slot size
/// comes from the size-class table), with large objects' page-rounded sizes kept apart. Roots and the
/// super-root account for nothing.
///
/// Invariant: `subscript(n)` equals the span's `accountedSlotSize` for object nodes.
public struct ObjectSizes: Sendable {
    @usableFromInline let classes: [UInt8]
    @usableFromInline let classSize: [UInt64]
    @usableFromInline let large: [UInt32: UInt64]
    @usableFromInline let objectCount: Int

    init(heap: GoHeap) {
        let spans = heap.spans.spans
        objectCount = heap.objectCount
        var classes = [UInt8](repeating: 0, count: heap.objectCount)
        var classSize = [UInt64](repeating: 0, count: 256)
        var large: [UInt32: UInt64] = [:]
        for s in spans {
            if s.isLarge {
                for id in s.firstObject..<(s.firstObject + s.objectCount) { large[id] = s.accountedSlotSize }
            } else {
                classSize[Int(s.sizeClass)] = s.elemSize
                for id in s.firstObject..<(s.firstObject + s.objectCount) { classes[Int(id)] = s.sizeClass }
            }
        }
        self.classes = classes
        self.classSize = classSize
        self.large = large
    }

    @inlinable
    public subscript(node: UInt32) -> UInt64 {
        guard Int(node) < objectCount else { return 0 }
        let c = classes[Int(node)]
        return c == 0 ? (large[node] ?? 0) : classSize[Int(c)]
    }

    /// The size class of object `node` (0 for large objects, roots and the super-root).
    @inlinable
    public func sizeClass(of node: UInt32) -> UInt8 {
        Int(node) < objectCount ? classes[Int(node)] : 0
    }

    /// Every node's size, for the retained-size computation (8 bytes per node, freed by the caller).
    func all(nodeCount: Int) -> [UInt64] {
        var sizes = [UInt64](repeating: 0, count: nodeCount)
        for i in 0..<objectCount { sizes[i] = self[UInt32(i)] }
        return sizes
    }
}
