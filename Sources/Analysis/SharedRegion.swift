import HeapGraph

/// The objects no single root dominates ("shared"), with their predecessors: enough to find which roots
/// reach a shared object and a path from one of them, without reversing the whole graph.
///
/// Shared nodes are numbered densely by rank (how many shared nodes have a smaller id), so the CSR
/// offsets cost 4 bytes per shared node, not per node. Invariant: `predecessors(of: v)` lists every
/// node with an edge to `v` when `v` is shared, and nothing otherwise.
struct SharedRegion {
    /// The shared nodes as a bit set, and the rank of each 64-node word's first bit.
    let shared: NodeSet
    let wordRanks: [UInt32]
    /// CSR over shared ranks: predecessors of the shared node of rank k are edges[offsets[k]..<offsets[k+1]].
    let offsets: [UInt32]
    let edges: [UInt32]

    init(graph: CSRGraph, shared: NodeSet) {
        let n = graph.nodeCount
        var wordRanks = [UInt32](repeating: 0, count: shared.words.count + 1)
        for (i, w) in shared.words.enumerated() { wordRanks[i + 1] = wordRanks[i] + UInt32(w.nonzeroBitCount) }
        let sharedCount = Int(wordRanks[shared.words.count])
        var offsets = [UInt32](repeating: 0, count: sharedCount + 1)
        var edges: [UInt32] = []
        graph.edges.withUnsafeBufferPointer { e in
            graph.offsets.withUnsafeBufferPointer { off in
                shared.words.withUnsafeBufferPointer { bits in
                    wordRanks.withUnsafeBufferPointer { ranks in
                        @inline(__always) func rank(_ v: UInt32) -> Int? {
                            let w = bits[Int(v) >> 6]
                            let bit: UInt64 = 1 << UInt64(v & 63)
                            guard w & bit != 0 else { return nil }
                            return Int(ranks[Int(v) >> 6]) + (w & (bit &- 1)).nonzeroBitCount
                        }
                        offsets.withUnsafeMutableBufferPointer { count in
                            for i in 0..<e.count { if let k = rank(e[i]) { count[k + 1] += 1 } }
                            for k in 0..<sharedCount { count[k + 1] += count[k] }
                        }
                        // Fill with offsets[k] as k's cursor (it ends at k + 1's start), then shift back.
                        edges = [UInt32](repeating: 0, count: Int(offsets[sharedCount]))
                        edges.withUnsafeMutableBufferPointer { out in
                            offsets.withUnsafeMutableBufferPointer { cursor in
                                for u in 0..<n {
                                    for i in Int(off[u])..<Int(off[u + 1]) {
                                        guard let k = rank(e[i]) else { continue }
                                        out[Int(cursor[k])] = UInt32(u)
                                        cursor[k] += 1
                                    }
                                }
                                var k = sharedCount
                                while k > 0 { cursor[k] = cursor[k - 1]; k -= 1 }
                                cursor[0] = 0
                            }
                        }
                    }
                }
            }
        }
        self.shared = shared
        self.wordRanks = wordRanks
        self.offsets = offsets
        self.edges = edges
    }

    func predecessors(of v: UInt32) -> ArraySlice<UInt32> {
        guard shared.contains(v) else { return [] }
        let w = shared.words[Int(v) >> 6]
        let k = Int(wordRanks[Int(v) >> 6]) + (w & ((1 << UInt64(v & 63)) &- 1)).nonzeroBitCount
        return edges[Int(offsets[k])..<Int(offsets[k + 1])]
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
