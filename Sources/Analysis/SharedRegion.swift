import HeapGraph

/// The objects no single root dominates ("shared"), with their predecessors: enough to find which roots
/// reach a shared object and a path from one of them, without reversing the whole graph.
///
/// Invariant: `predecessors(of: v)` lists every node with an edge to `v`, for shared objects `v` only
/// (CSR over all node ids, empty lists elsewhere).
struct SharedRegion {
    let offsets: [UInt32]
    let edges: [UInt32]

    init(graph: CSRGraph, shared: NodeSet) {
        @inline(__always) func isShared(_ v: UInt32) -> Bool { shared.contains(v) }
        let n = graph.nodeCount
        var offsets = [UInt32](repeating: 0, count: n + 1)
        graph.edges.withUnsafeBufferPointer { e in
            for u in 0..<n {
                for i in graph.edgeRange(of: UInt32(u)) where isShared(e[i]) { offsets[Int(e[i]) + 1] += 1 }
            }
        }
        for i in 0..<n { offsets[i + 1] += offsets[i] }
        var fill = offsets
        var edges = [UInt32](repeating: 0, count: Int(offsets[n]))
        graph.edges.withUnsafeBufferPointer { e in
            for u in 0..<n {
                for i in graph.edgeRange(of: UInt32(u)) where isShared(e[i]) {
                    let v = Int(e[i])
                    edges[Int(fill[v])] = UInt32(u)
                    fill[v] += 1
                }
            }
        }
        self.offsets = offsets
        self.edges = edges
    }

    func predecessors(of v: UInt32) -> ArraySlice<UInt32> {
        edges[Int(offsets[Int(v)])..<Int(offsets[Int(v) + 1])]
    }
}

extension HeapAnalysis {
    /// The roots (indices) that reach any of `nodes` (shared objects): a backward search through shared
    /// objects that stops at the first object owned by a root, or at a root.
    public func rootsReaching(_ nodes: [UInt32]) -> [Int] {
        let region = sharedRegion
        let owners = self.owners
        var seen = NodeSet(count: graph.graph.nodeCount)
        var stack: [UInt32] = []
        var roots = Set<Int>()
        for n in nodes where seen.insert(n) { stack.append(n) }
        while let x = stack.popLast() {
            for u in region.predecessors(of: x) where seen.insert(u) {
                if let r = graph.rootIndex(ofNode: u) { roots.insert(r) }
                else if owners[Int(u)] == .max { stack.append(u) }
                else if let r = graph.rootIndex(ofNode: owners[Int(u)]) { roots.insert(r) }
            }
        }
        return roots.sorted()
    }

    /// A path to a shared object: backwards through shared objects to the first object a root owns (or
    /// a root), then forwards from that root to it.
    func pathToShared(_ target: UInt32) -> [UInt32]? {
        let region = sharedRegion
        var parent: [UInt32: UInt32] = [target: target]
        var queue: [UInt32] = [target]
        var head = 0
        var entry: UInt32?
        search: while head < queue.count {
            let x = queue[head]
            head += 1
            for u in region.predecessors(of: x) where parent[u] == nil {
                parent[u] = x
                if graph.rootIndex(ofNode: u) != nil || graph.rootIndex(ofNode: owners[Int(u)]) != nil { entry = u; break search }
                queue.append(u)
            }
        }
        guard let entry else { return nil }
        var tail: [UInt32] = []
        var x = entry
        while x != target {
            x = parent[x]!
            tail.append(x)
        }
        let owner = graph.rootIndex(ofNode: entry) != nil ? entry : owners[Int(entry)]
        guard let head = owner == entry ? [entry] : shortestPath(from: owner, to: entry) else { return nil }
        return [graph.superRoot] + head + tail
    }
}
