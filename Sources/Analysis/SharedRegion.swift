import Dispatch
import HeapGraph

/// The edges into the shared part of the heap. A shared object (no single root dominates it) hangs in
/// the dominator tree below a "top": its ancestor right below the super-root. An edge from outside a
/// dominator subtree can only enter it at the subtree's root, so which roots reach a shared object, and
/// how, is decided by the predecessors of the tops alone: this holds them, without reversing the graph.
///
/// Members are numbered densely by rank (how many members have a smaller id), so the CSR offsets cost
/// 4 bytes per member, not per node. Invariant: `predecessors(of: v)` lists every node with an edge to
/// `v` when `v` is a member, and nothing otherwise.
struct SharedRegion {
    /// The members (the tops) as a bit set, and the rank of each 64-node word's first bit.
    let members: NodeSet
    let wordRanks: [UInt32]
    /// CSR over member ranks: predecessors of the member of rank k are edges[offsets[k]..<offsets[k+1]].
    let offsets: [UInt32]
    let edges: [UInt32]
    /// Beside each predecessor, its class (see `init`), read while the edges are scanned in source
    /// order, so the searches need no random lookups of their own.
    let sourceClasses: [UInt32]

    /// One scan of the edges, split by source node over both cores: each part keeps the (member,
    /// source) pairs it finds and counts them; then fills its own share of every list from its pairs,
    /// parts in source order, so the result does not depend on the split.
    /// `owner` and `top` are the analysis's ownership arrays: a predecessor's class is the root owning
    /// it (roots own themselves), or its own top when it is shared, or UInt32.max for garbage and the
    /// super-root.
    init(graph: CSRGraph, members: NodeSet, owner: [UInt32], top: [UInt32]) {
        let n = graph.nodeCount
        var wordRanks = [UInt32](repeating: 0, count: members.words.count + 1)
        for (i, w) in members.words.enumerated() { wordRanks[i + 1] = wordRanks[i] + UInt32(w.nonzeroBitCount) }
        let memberCount = Int(wordRanks[members.words.count])
        // Parts: source ranges with about equal edge counts.
        let partCount = 2
        var bounds = [0]
        for p in 1..<partCount {
            let goal = UInt64(graph.edgeCount) * UInt64(p) / UInt64(partCount)
            var lo = bounds.last!, hi = n
            while lo < hi { let mid = (lo + hi) / 2; if graph.offsets[mid] < goal { lo = mid + 1 } else { hi = mid } }
            bounds.append(lo)
        }
        bounds.append(n)
        var offsets = [UInt32](repeating: 0, count: memberCount + 1)
        var edges: [UInt32] = []
        var sourceClasses: [UInt32] = []
        let partCounts = (0..<partCount).map { _ in
            let c = UnsafeMutablePointer<UInt32>.allocate(capacity: max(memberCount, 1))
            c.initialize(repeating: 0, count: max(memberCount, 1))
            return c
        }
        let partPairs = UnsafeMutablePointer<[UInt64]>.allocate(capacity: partCount)
        partPairs.initialize(repeating: [], count: partCount)
        defer {
            for c in partCounts { c.deallocate() }
            partPairs.deinitialize(count: partCount)
            partPairs.deallocate()
        }
        graph.edges.withUnsafeBufferPointer { e in
            graph.offsets.withUnsafeBufferPointer { off in
                members.words.withUnsafeBufferPointer { bits in
                    wordRanks.withUnsafeBufferPointer { ranks in
                        var work = RegionScan(edges: e, offsets: off, bits: bits, ranks: ranks, bounds: bounds,
                                              cursors: partCounts, pairs: partPairs)
                        // Each part finds its edges into members, and counts them per member.
                        let counting = work
                        DispatchQueue.concurrentPerform(iterations: partCount) { p in counting.count(part: p) }
                        // Offsets; each part's cursor starts at its list start plus the earlier parts' counts.
                        var sum: UInt32 = 0
                        for k in 0..<memberCount {
                            offsets[k] = sum
                            for c in partCounts {
                                let here = c[k]
                                c[k] = sum
                                sum += here
                            }
                        }
                        offsets[memberCount] = sum
                        edges = [UInt32](repeating: 0, count: Int(sum))
                        sourceClasses = [UInt32](repeating: 0, count: Int(sum))
                        edges.withUnsafeMutableBufferPointer { out in
                            sourceClasses.withUnsafeMutableBufferPointer { outClasses in
                                owner.withUnsafeBufferPointer { owner in
                                    top.withUnsafeBufferPointer { top in
                                        work.out = out
                                        work.outClasses = outClasses
                                        work.owner = owner
                                        work.top = top
                                        let filling = work
                                        DispatchQueue.concurrentPerform(iterations: partCount) { p in filling.fill(part: p) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.members = members
        self.wordRanks = wordRanks
        self.offsets = offsets
        self.edges = edges
        self.sourceClasses = sourceClasses
    }

    /// The positions of `v`'s predecessors in `edges` and `sourceClasses` (empty for non-members).
    func predecessorRange(of v: UInt32) -> Range<Int> {
        guard members.contains(v) else { return 0..<0 }
        let w = members.words[Int(v) >> 6]
        let k = Int(wordRanks[Int(v) >> 6]) + (w & ((1 << UInt64(v & 63)) &- 1)).nonzeroBitCount
        return Int(offsets[k])..<Int(offsets[k + 1])
    }

    func predecessors(of v: UInt32) -> ArraySlice<UInt32> { edges[predecessorRange(of: v)] }
}

/// The raw buffers one part of the region's edge scan works on; parts write disjoint cursors and
/// output slots, which is what makes sharing them between threads sound.
private struct RegionScan: @unchecked Sendable {
    let edges: UnsafeBufferPointer<UInt32>
    let offsets: UnsafeBufferPointer<UInt32>
    let bits: UnsafeBufferPointer<UInt64>
    let ranks: UnsafeBufferPointer<UInt32>
    let bounds: [Int]
    let cursors: [UnsafeMutablePointer<UInt32>]
    /// Per part, its (member rank << 32 | source) pairs in source order.
    let pairs: UnsafeMutablePointer<[UInt64]>
    var out: UnsafeMutableBufferPointer<UInt32>? = nil
    var outClasses: UnsafeMutableBufferPointer<UInt32>? = nil
    var owner: UnsafeBufferPointer<UInt32>? = nil
    var top: UnsafeBufferPointer<UInt32>? = nil

    /// A predecessor's class: its owning root, its top when shared, UInt32.max for garbage.
    @inline(__always)
    func sourceClass(_ u: Int, owner: UnsafeBufferPointer<UInt32>, top: UnsafeBufferPointer<UInt32>) -> UInt32 {
        let o = owner[u]
        if o == .max { return top[u] }
        return o == HeapAnalysis.unreachableOwner ? .max : o
    }

    /// The member rank of node `v`, or nil when it is not a member.
    @inline(__always)
    func rank(_ v: UInt32) -> Int? {
        let w = bits[Int(v) >> 6]
        let bit: UInt64 = 1 << UInt64(v & 63)
        guard w & bit != 0 else { return nil }
        return Int(ranks[Int(v) >> 6]) + (w & (bit &- 1)).nonzeroBitCount
    }

    func count(part p: Int) {
        let c = cursors[p]
        var found: [UInt64] = []
        for u in bounds[p]..<bounds[p + 1] {
            for i in Int(offsets[u])..<Int(offsets[u + 1]) {
                guard let k = rank(edges[i]) else { continue }
                c[k] += 1
                found.append(UInt64(k) << 32 | UInt64(u))
            }
        }
        pairs[p] = found
    }

    func fill(part p: Int) {
        let cursor = cursors[p]
        let out = out!, outClasses = outClasses!, owner = owner!, top = top!
        for pair in pairs[p] {
            let k = Int(pair >> 32), u = Int(pair & 0xffff_ffff)
            out[Int(cursor[k])] = UInt32(u)
            outClasses[Int(cursor[k])] = sourceClass(u, owner: owner, top: top)
            cursor[k] += 1
        }
    }
}

extension HeapAnalysis {
    /// The roots (indices) that reach any of `nodes` (shared objects): those reaching their tops, found
    /// backwards from top to top through the tops' predecessors.
    public func rootsReaching(_ nodes: [UInt32]) -> [Int] {
        let region = sharedRegion
        let top = ownership.child
        var seen = NodeSet(count: graph.graph.nodeCount)
        var stack: [UInt32] = []
        var roots = Set<Int>()
        for n in nodes where seen.insert(top[Int(n)]) { stack.append(top[Int(n)]) }
        while let t = stack.popLast() {
            for i in region.predecessorRange(of: t) {
                // The predecessor's class: the root owning it (or itself), or its own top.
                let c = region.sourceClasses[i]
                if c == .max { continue }
                if let r = graph.rootIndex(ofNode: c) { roots.insert(r) } else if seen.insert(c) { stack.append(c) }
            }
        }
        return roots.sorted()
    }

    /// A shortest-by-tops path to a shared object: backwards from its top through the tops' predecessors
    /// to a root (or an object a root owns), then forwards segment by segment: root -> ... -> a node
    /// pointing at a top -> that top -> ... -> the next such node -> ... -> the object.
    func pathToShared(_ target: UInt32) -> [UInt32]? {
        let region = sharedRegion
        let (owners, top) = ownership
        let first = top[Int(target)]
        guard first != .max else { return nil }
        // For a top reached backwards: the node in its subtree pointing at the next top towards `first`.
        var link: [UInt32: (via: UInt32, next: UInt32)] = [first: (first, first)]
        var queue: [UInt32] = [first]
        var head = 0
        var entry: (node: UInt32, top: UInt32)?
        search: while head < queue.count {
            let t = queue[head]
            head += 1
            for u in region.predecessors(of: t) {
                if graph.rootIndex(ofNode: u) != nil || graph.rootIndex(ofNode: owners[Int(u)]) != nil {
                    entry = (u, t)
                    break search
                }
                let t2 = top[Int(u)]
                if owners[Int(u)] == .max, t2 != .max, link[t2] == nil {
                    link[t2] = (u, t)
                    queue.append(t2)
                }
            }
        }
        guard let entry else { return nil }
        let owner = graph.rootIndex(ofNode: entry.node) != nil ? entry.node : owners[Int(entry.node)]
        guard var path = owner == entry.node ? [entry.node] : shortestPath(from: owner, to: entry.node) else { return nil }
        var t = entry.top
        path.append(t)
        while t != first {
            guard let (via, next) = link[t], let inside = shortestPath(from: t, to: via) else { return nil }
            path += inside.dropFirst()
            path.append(next)
            t = next
        }
        if target != first {
            guard let inside = shortestPath(from: first, to: target) else { return nil }
            path += inside.dropFirst()
        }
        return [graph.superRoot] + path
    }
}
