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
    public private(set) var roots: [Root]
    public private(set) var graph: CSRGraph
    public let objectCount: Int
    public let superRoot: UInt32

    public var rootCount: Int { roots.count }

    @inlinable public func node(ofRoot r: Int) -> UInt32 { UInt32(objectCount + r) }
    @inlinable public func isObject(_ n: UInt32) -> Bool { Int(n) < objectCount }
    @inlinable public func rootIndex(ofNode n: UInt32) -> Int? {
        let r = Int(n) - objectCount
        return r >= 0 && r < roots.count ? r : nil
    }

    /// How the finalizer roots of objects no other root reaches get their referents.
    public enum FinalizerReach: Sendable {
        /// Search the graph now (one search from the ordinary roots).
        case search
        /// Leave the referents as optional edges for the dominator tree's depth-first search to
        /// settle (`optionalEdges`, then `settle(taken:)`): no search of its own. The graph must
        /// not be used before it is settled.
        case byDominators
    }

    /// The finalizer roots' optional edges, while the graph is not settled (`FinalizerReach.byDominators`).
    public private(set) var optionalEdges: [OptionalEdges] = []
    private var optionalRoots: [Int] = []

    /// `objectEdges` are the heap objects' edges (`ObjectGraph.objectEdges`), built beforehand, possibly
    /// on another thread.
    public init(heap: GoHeap, roots inputRoots: [Root], objectEdges: consuming CSRGraph,
                finalizerReach: FinalizerReach = .search) {
        self.heap = heap
        let n = heap.objectCount
        objectCount = n

        var roots = inputRoots
        var rootTargets: [[UInt32]] = roots.map { root in ObjectGraph.targets(of: root.values, heap: heap) }
        // Finalizer roots and their objects' ids.
        let finalized: [(root: Int, id: UInt32)] = roots.indices.compactMap { r in
            roots[r].finalizedObject.flatMap(heap.objectID(containing:)).map { (r, $0) }
        }
        var optional: [(root: Int, from: Int, object: UInt32)] = []
        if !finalized.isEmpty {
            switch finalizerReach {
            case .search:
                // Which objects do the ordinary roots (everything but finalizer referents) reach?
                var starts: [UInt32] = []
                for t in rootTargets { starts.append(contentsOf: t) }
                let reached = ObjectGraph.reach(objectEdges, from: starts, count: n, until: finalized.map(\.id))
                for (r, id) in finalized {
                    guard !reached.contains(id) else { continue }
                    // The collector scans an unreachable finalized object's contents for its finalizer.
                    rootTargets[r].append(contentsOf: objectEdges.edges[objectEdges.edgeRange(of: id)])
                    roots[r].name += ObjectGraph.keepsReferents
                }
            case .byDominators:
                for (r, id) in finalized {
                    optional.append((r, rootTargets[r].count, id))
                    rootTargets[r].append(contentsOf: objectEdges.edges[objectEdges.edgeRange(of: id)])
                }
            }
        }
        self.roots = roots

        // Concatenate: object nodes, root nodes, super-root (moving the arrays out, so appending does
        // not copy them).
        var source = objectEdges
        var offsets: [UInt32] = []
        var edges: [UInt32] = []
        swap(&offsets, &source.offsets)
        swap(&edges, &source.edges)
        offsets.reserveCapacity(n + roots.count + 2)
        var rootStarts: [Int] = []
        for t in rootTargets {
            rootStarts.append(edges.count)
            // (32-bit offsets: a graph already at their limit loses root edges rather than wrapping.)
            edges.append(contentsOf: t.prefix(max(0, Int(UInt32.max) - 1 - roots.count - edges.count)))
            offsets.append(UInt32(edges.count))
        }
        // The super-root's depth-first search takes its successors last to first: roots with
        // optional edges go first, so that they are expanded after every ordinary root's reach.
        let withOptional = Set(optional.map(\.root))
        for r in roots.indices where withOptional.contains(r) { edges.append(UInt32(n + r)) }
        for r in roots.indices where !withOptional.contains(r) { edges.append(UInt32(n + r)) }
        offsets.append(UInt32(edges.count))
        graph = CSRGraph(offsets: offsets, edges: edges)
        superRoot = UInt32(n + roots.count)
        optionalEdges = optional.map {
            OptionalEdges(node: UInt32(n + $0.root), firstEdge: rootStarts[$0.root] + $0.from, unlessReached: $0.object)
        }
        optionalRoots = optional.map(\.root)
    }

    static let keepsReferents = " (unreachable otherwise: keeps what it points to)"

    /// Drops the optional edges the dominator tree did not take (`taken` per `optionalEdges`) and
    /// names the finalizer roots that keep their object's referents; the graph is then final.
    public func settle(taken: [Bool]) {
        guard !optionalEdges.isEmpty else { return }
        var drop: [UInt32: Int] = [:]  // root node -> first edge to drop
        for (i, o) in optionalEdges.enumerated() {
            if taken[i] {
                roots[optionalRoots[i]].name += ObjectGraph.keepsReferents
            } else {
                drop[o.node] = min(drop[o.node] ?? .max, o.firstEdge)
            }
        }
        optionalEdges = []
        optionalRoots = []
        guard !drop.isEmpty else { return }
        // Rewrite the rows of the roots and the super-root (they come after every object's row).
        let firstRootEdge = Int(graph.offsets[objectCount])
        var tail: [[UInt32]] = []
        for node in objectCount..<graph.nodeCount {
            let range = graph.edgeRange(of: UInt32(node))
            let end = min(range.upperBound, drop[UInt32(node)] ?? .max)
            tail.append(Array(graph.edges[range.lowerBound..<end]))
        }
        graph.edges.removeSubrange(firstRootEdge...)
        for (k, row) in tail.enumerated() {
            graph.edges.append(contentsOf: row)
            graph.offsets[objectCount + k + 1] = UInt32(graph.edges.count)
        }
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
        // Pointer values are resolved in batches (their lookups overlap); `ends` marks where each
        // object's values end, the last object's values may continue into the next batch.
        var batch = ObjectIDBatch(capacity: 4096)
        var ends: [Int] = []
        ends.reserveCapacity(4096)
        func flush() {
            batch.resolve(in: spans)
            var k = 0
            batch.ids.withUnsafeBufferPointer { ids in
                for i in 0..<batch.count {
                    while k < ends.count, ends[k] == i {
                        builder.finishNode()
                        k += 1
                    }
                    // (The builder drops a target repeating the node's previous one.)
                    if ids[i] != .max { builder.addEdge(to: ids[i]) }
                }
            }
            while k < ends.count {
                builder.finishNode()
                k += 1
            }
            batch.removeAll()
            ends.removeAll(keepingCapacity: true)
        }
        for s in 0..<spans.spans.count {
            if spans.hot[s].noscan {
                // Pointer-free objects: no edges (their nodes are closed in order).
                ends.append(contentsOf: repeatElement(batch.count, count: Int(spans.spans[s].objectCount)))
                if ends.count >= 4096 { flush() }
                continue
            }
            if !spans.hot[s].isLarge {
                scanner.scanSpan(s, values: &batch.values, ends: &ends)
            } else {
                spans.forEachObject(inSpan: s) { slot, id in
                    scanner.forEachPointer(span: s, slot: slot) { _, value in
                        batch.values.append(value)
                        if batch.count >= 1 << 16 { flush() }  // a big object continues in the next batch
                    }
                    ends.append(batch.count)
                }
            }
            if batch.count >= 4096 || ends.count >= 4096 { flush() }
        }
        flush()
        if builder.droppedEdges > 0 {
            heap.addFailures(["the object graph holds at most \(UInt32.max - 1) pointers: \(builder.droppedEdges) were left out"])
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
