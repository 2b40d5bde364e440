import CPrefetch

/// Resolves many addresses to object ids at once, in stages that each prefetch what the next one
/// reads (page entry, then span, then allocation word), so that the cache misses of a whole batch
/// overlap instead of coming one after another. This is what makes a pass over every pointer of a
/// big heap bandwidth-bound rather than latency-bound.
///
/// Invariant: after `resolve`, `ids[i]` is `spans.objectID(containing: values[i]) ?? UInt32.max`
/// for every `i < values.count`; the buffers are reused from batch to batch.
public struct ObjectIDBatch {
    /// The addresses to resolve; append, then `resolve`, then read `ids`, then `removeAll`.
    public var values: [UInt64] = []
    public private(set) var ids: [UInt32] = []
    /// Per value: the index of its span, or -1 (valid where `ids[i] != UInt32.max`).
    public private(set) var spanOf: [Int32] = []
    /// Per value: its slot in that span (valid where `ids[i] != UInt32.max`).
    public private(set) var slotOf: [Int32] = []

    public init(capacity: Int = 1024) {
        values.reserveCapacity(capacity)
    }

    @inlinable public var count: Int { values.count }

    @inlinable public mutating func removeAll() { values.removeAll(keepingCapacity: true) }

    /// Where value `i` is in the heap (after `resolve`), or nil when it is in no allocated object.
    @inline(__always)
    public func location(_ i: Int, in spans: SpanTable) -> ObjectLocation? {
        let id = ids[i]
        guard id != .max else { return nil }
        let s = Int(spanOf[i]), slot = Int(slotOf[i])
        let span = spans.hot[s]
        return ObjectLocation(span: s, slot: slot, id: id, slotBase: span.base &+ UInt64(slot) &* UInt64(span.elemSize))
    }

    public mutating func resolve(in spans: SpanTable) {
        let n = values.count
        if ids.count < n {
            ids = [UInt32](repeating: .max, count: n)
            spanOf = [Int32](repeating: -1, count: n)
            slotOf = [Int32](repeating: -1, count: n)
        }
        values.withUnsafeBufferPointer { values in
            ids.withUnsafeMutableBufferPointer { ids in
                spanOf.withUnsafeMutableBufferPointer { spanOf in
                    slotOf.withUnsafeMutableBufferPointer { slotOf in
                        spans.resolve(values, spanOf: spanOf, slotOf: slotOf, ids: ids)
                    }
                }
            }
        }
    }
}

extension SpanTable {
    /// The staged lookups behind `ObjectIDBatch.resolve` (buffers at least `values.count` long).
    func resolve(_ values: UnsafeBufferPointer<UInt64>, spanOf: UnsafeMutableBufferPointer<Int32>,
                 slotOf: UnsafeMutableBufferPointer<Int32>, ids: UnsafeMutableBufferPointer<UInt32>) {
        let n = values.count
        for i in 0..<n { pageIndex.prefetchEntry(of: values[i]) }
        hot.withUnsafeBufferPointer { hot in
            alloc.withUnsafeBufferPointer { alloc in
                // Page entry -> span; fetch the span.
                for i in 0..<n {
                    if let s = pageIndex.span(of: values[i]) {
                        spanOf[i] = Int32(truncatingIfNeeded: s)
                        coreview_prefetch(hot.baseAddress! + s)
                    } else {
                        spanOf[i] = -1
                    }
                }
                // Span -> slot; fetch the slot's allocation word.
                for i in 0..<n {
                    slotOf[i] = -1
                    let s = Int(spanOf[i])
                    guard s >= 0 else { continue }
                    let span = hot[s]
                    let address = values[i]
                    guard address >= span.base, address < span.limit else { continue }
                    let slot = span.isLarge ? 0 : Int((address &- span.base) / UInt64(span.elemSize))
                    guard slot <= Int(Int32.max) else { continue }
                    slotOf[i] = Int32(slot)
                    coreview_prefetch(alloc.baseAddress! + Int(span.allocWordStart) + slot >> 6)
                }
                // Allocation word -> object id.
                for i in 0..<n {
                    ids[i] = .max
                    let slot = Int(slotOf[i])
                    guard slot >= 0 else { continue }
                    let span = hot[Int(spanOf[i])]
                    let w = alloc[Int(span.allocWordStart) + slot >> 6]
                    let bit = UInt64(slot & 63)
                    guard (w.bits >> bit) & 1 != 0 else { continue }
                    ids[i] = span.firstObject + w.rank + UInt32((w.bits & ((1 << bit) &- 1)).nonzeroBitCount)
                }
            }
        }
    }
}
