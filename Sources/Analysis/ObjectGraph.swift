import GoDWARF
import GoRuntime
import HeapGraph

/// The object graph of a heap: nodes are heap objects, then roots, then one super-root; edges go from
/// each pointer word to the object containing its target (interior pointers included).
///
/// Node numbering (invariant): objects `0..<objectCount` (node id == object id), roots
/// `objectCount..<objectCount+rootCount` in `roots` order, the super-root last. The super-root's
/// successors are all roots. Finalizer roots point at their function's closure, and at the referents of
/// their object only when no other root reaches that object (as the collector keeps them).
public final class ObjectGraph: @unchecked Sendable {
    public let heap: GoHeap
    public let roots: [Root]
    public let graph: CSRGraph
    public let objectCount: Int
    public let superRoot: UInt32

    public var rootCount: Int { roots.count }

    @inlinable public func node(ofRoot r: Int) -> UInt32 { UInt32(objectCount + r) }
    @inlinable public func isObject(_ n: UInt32) -> Bool { Int(n) < objectCount }
    @inlinable public func rootIndex(ofNode n: UInt32) -> Int? {
        let r = Int(n) - objectCount
        return r >= 0 && r < roots.count ? r : nil
    }

    /// `objectEdges` are the heap objects' edges (`ObjectGraph.objectEdges`), built beforehand, possibly
    /// on another thread.
    public init(heap: GoHeap, roots inputRoots: [Root], objectEdges: consuming CSRGraph) {
        self.heap = heap
        let n = heap.objectCount
        objectCount = n

        // Which objects do the ordinary roots (everything but finalizer referents) reach?
        var roots = inputRoots
        var rootTargets: [[UInt32]] = roots.map { root in ObjectGraph.targets(of: root.values, heap: heap) }
        let finalized = roots.indices.filter { roots[$0].finalizedObject != nil }
        if !finalized.isEmpty {
            var starts: [UInt32] = []
            for t in rootTargets { starts.append(contentsOf: t) }
            let wanted = finalized.compactMap { roots[$0].finalizedObject.flatMap(heap.objectID(containing:)) }
            let reached = ObjectGraph.reach(objectEdges, from: starts, count: n, until: wanted)
            for r in finalized {
                guard let object = roots[r].finalizedObject, let id = heap.objectID(containing: object),
                      !reached.contains(id) else { continue }
                // The collector scans an unreachable finalized object's contents for its finalizer.
                let range = objectEdges.edgeRange(of: id)
                rootTargets[r].append(contentsOf: objectEdges.edges[range])
                roots[r].name += " (unreachable otherwise: keeps what it points to)"
            }
        }
        self.roots = roots

        // Concatenate: object nodes, root nodes, super-root (moving the arrays out, so appending does
        // not copy them).
        var source = objectEdges
        var offsets: [UInt64] = []
        var edges: [UInt32] = []
        swap(&offsets, &source.offsets)
        swap(&edges, &source.edges)
        offsets.reserveCapacity(n + roots.count + 2)
        for t in rootTargets {
            edges.append(contentsOf: t)
            offsets.append(UInt64(edges.count))
        }
        for r in 0..<roots.count { edges.append(UInt32(n + r)) }
        offsets.append(UInt64(edges.count))
        graph = CSRGraph(offsets: offsets, edges: edges)
        superRoot = UInt32(n + roots.count)
    }

    /// Object ids of the heap objects among `values`, deduplicated, in order.
    static func targets(of values: [UInt64], heap: GoHeap) -> [UInt32] {
        var seen = Set<UInt32>()
        var out: [UInt32] = []
        for v in values {
            if let id = heap.objectID(containing: v), seen.insert(id).inserted { out.append(id) }
        }
        return out
    }

    /// One pass over every allocated object's pointer words: each object's edges to the objects its
    /// pointers land in.
    /// `extraNodes`: room reserved for the nodes appended after the objects (roots, super-root), so
    /// that appending them does not copy the offsets.
    public static func objectEdges(_ heap: GoHeap, scanner: PointerScanner, extraNodes: Int = 0) -> CSRGraph {
        var builder = CSRGraphBuilder(expectedNodes: heap.objectCount + extraNodes, expectedEdges: heap.objectCount * 2)
        let spans = heap.spans
        for s in 0..<spans.spans.count {
            spans.forEachObject(inSpan: s) { slot, id in
                var last = UInt32.max
                scanner.forEachPointer(span: s, slot: slot) { _, value in
                    guard let target = spans.objectID(containing: value), target != last else { return }
                    last = target
                    builder.addEdge(to: target)
                }
                builder.finishNode()
            }
        }
        return builder.build()
    }

    /// The nodes reachable from `starts`; the search stops early once every node of `until` is
    /// reached (then the set is complete for those nodes only, which is all the caller asks).
    static func reach(_ g: CSRGraph, from starts: [UInt32], count: Int, until: [UInt32]) -> NodeSet {
        var seen = NodeSet(count: count)
        var targets = NodeSet(count: count)
        for t in until { targets.insert(t) }
        var missing = targets.count
        var stack: [UInt32] = []
        func visit(_ y: UInt32) -> Bool {
            guard seen.insert(y) else { return false }
            if targets.contains(y) { missing -= 1 }
            return true
        }
        for s in starts where visit(s) { stack.append(s) }
        while missing > 0, let x = stack.popLast() {
            for y in g.edges[g.edgeRange(of: x)] where visit(y) { stack.append(y) }
        }
        return seen
    }

}
