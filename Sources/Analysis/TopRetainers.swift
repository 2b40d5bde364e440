import GoDWARF
import GoRuntime
import HeapGraph

/// `top`: the dominator-tree nodes that retain the most, largest first. A node whose retained size
/// is all but its only child's (a root over a map over its buckets) is shown once, at the head of
/// the chain.
public struct TopRetainers: Sendable {
    public struct Entry: Sendable {
        public var kind: String  // global, stack, finalizer, runtime, object
        public var name: String
        public var address: UInt64?
        public var type: String?
        public var retainedBytes: UInt64
        public var retainedObjects: Int
        /// The type with the most bytes in the node's dominator subtree.
        public var topType: String?
        public var topTypeBytes: UInt64
        /// The root that owns it ("shared" when no single root does).
        public var owner: String
    }

    public var heapBytes: UInt64
    public var reachableBytes: UInt64
    public var entries: [Entry]

    public init(analysis a: HeapAnalysis, count: Int) {
        let dom = a.dominators
        let retained = a.retainedBytes
        let graph = a.graph
        heapBytes = a.heap.totals.bytes
        reachableBytes = retained[Int(graph.superRoot)]
        let sizes = a.nodeSizes
        let subtree = dom.subtreeSize
        // Candidates: every reachable node but the super-root, minus chain links (a node that is its
        // parent's only child: the parent's subtree is the node's plus the parent itself).
        var candidates: [UInt32] = []
        for n in 0..<UInt32(dom.nodeCount) where n != graph.superRoot && dom.isReachable(n) && retained[Int(n)] > 0 {
            let p = dom.idom[Int(n)]
            if p != graph.superRoot {
                let onlyChild = subtree[Int(p)] == subtree[Int(n)] + 1
                let parentIsThin = sizes[p] <= retained[Int(p)] / 100
                if onlyChild && parentIsThin { continue }
            }
            candidates.append(n)
        }
        // Keep the `count` largest without sorting every node.
        let best = TopRetainers.largest(candidates, count: count) { retained[Int($0)] }
        var entries: [Entry] = []
        for n in best {
            entries.append(TopRetainers.entry(n, analysis: a))
        }
        self.entries = entries
    }

    /// The `count` nodes with the largest key, largest first (ties by smaller id), in O(n log count).
    static func largest(_ nodes: [UInt32], count: Int, key: (UInt32) -> UInt64) -> [UInt32] {
        guard count > 0 else { return [] }
        // A min-heap of the best so far, ordered by (key, -id).
        var heap: [(UInt64, UInt32)] = []
        func less(_ a: (UInt64, UInt32), _ b: (UInt64, UInt32)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 > b.1) }
        func siftDown(_ i: Int) {
            var i = i
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        func siftUp(_ i: Int) {
            var i = i
            while i > 0 {
                let p = (i - 1) / 2
                if !less(heap[i], heap[p]) { return }
                heap.swapAt(i, p)
                i = p
            }
        }
        for n in nodes {
            let item = (key(n), n)
            if heap.count < count {
                heap.append(item)
                siftUp(heap.count - 1)
            } else if less(heap[0], item) {
                heap[0] = item
                siftDown(0)
            }
        }
        return heap.sorted { less($1, $0) }.map(\.1)
    }

    static func entry(_ n: UInt32, analysis a: HeapAnalysis) -> Entry {
        let graph = a.graph
        let retained = a.retainedBytes[Int(n)]
        let objects = Int(a.dominators.subtreeSize[Int(n)]) - (graph.isObject(n) ? 0 : 1)
        let (topType, topBytes) = a.largestType(under: n)
        let ownerNode = a.owners[Int(n)]
        let owner = ownerNode == .max ? "shared" : graph.rootIndex(ofNode: ownerNode).map { graph.roots[$0].name } ?? "shared"
        if let r = graph.rootIndex(ofNode: n) {
            let root = graph.roots[r]
            return Entry(kind: root.kind.rawValue, name: root.name, address: root.address,
                         type: root.type.map { a.heap.types[$0].name }, retainedBytes: retained,
                         retainedObjects: objects, topType: topType, topTypeBytes: topBytes, owner: owner)
        }
        let name = a.objectTypeName(n)
        return Entry(kind: "object", name: name, address: a.heap.address(ofObject: n), type: name,
                     retainedBytes: retained, retainedObjects: objects, topType: topType, topTypeBytes: topBytes, owner: owner)
    }
}

extension HeapAnalysis {
    /// The type name of object `id`, or `<unknown N B slot>`.
    public func objectTypeName(_ id: UInt32) -> String {
        let raw = heap.objectTypes[Int(id)]
        guard raw != HeapTypeRef.unknown.raw else { return unknownName(id) }
        if let name = typeNames[raw] { return name }
        let name = heap.typeName(HeapTypeRef(raw: raw))
        typeNames[raw] = name
        return name
    }

    /// The type with the most bytes among the objects `n` dominates (a pass over its subtree's
    /// preorder interval, summing into flat arrays by type reference and by size class).
    public func largestType(under n: UInt32) -> (String?, UInt64) {
        let dom = dominators
        let start = Int(dom.preorder[Int(n)])
        let end = start + Int(dom.subtreeSize[Int(n)])
        let order = preorderNodes
        let sizes = nodeSizes
        let slots = 2 * heap.types.count + 2
        var known = [UInt64](repeating: 0, count: slots)
        var unknownByClass = [UInt64](repeating: 0, count: 256)
        let objectTypes = heap.objectTypes
        let objectCount = UInt32(graph.objectCount)
        for i in start..<end {
            let m = order[i]
            guard m < objectCount else { continue }
            let raw = objectTypes[Int(m)]
            if raw == HeapTypeRef.unknown.raw {
                unknownByClass[Int(sizes.sizeClass(of: m))] += sizes[m]
            } else {
                let k = Int(raw & 0x7fff_ffff) * 2 + (raw & 0x8000_0000 != 0 ? 1 : 0)
                if k < slots { known[k] += sizes[m] }
            }
        }
        var byName: [String: UInt64] = [:]
        for (k, b) in known.enumerated() where b > 0 {
            byName[heap.typeName(HeapTypeRef(type: TypeID(k / 2), array: k % 2 == 1)), default: 0] += b
        }
        for (c, b) in unknownByClass.enumerated() where b > 0 {
            byName[c == 0 ? "<unknown large>" : "<unknown \(sizes.classSize[c]) B slot>", default: 0] += b
        }
        guard let best = byName.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { return (nil, 0) }
        return (best.key, best.value)
    }
}
