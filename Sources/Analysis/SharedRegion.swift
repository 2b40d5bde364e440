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

    /// One scan of the edges, split by source node over both cores: each part keeps the (member rank,
    /// source) pairs it finds, in source order. Then each pair gets its source's class (reading the
    /// ownership arrays in source order), and a stable radix sort by member rank makes the lists,
    /// each in source order, with no random counting or scattering over the members.
    /// `ownership` gives the analysis's ownership arrays (asked for once the scan is done: they may be
    /// computed meanwhile): a predecessor's class is the root owning
    /// it (roots own themselves), or its own top when it is shared, or UInt32.max for garbage and the
    /// super-root.
    init(graph: CSRGraph, members: NodeSet, ownership: () -> (owner: [UInt32], child: [UInt32])) {
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
            while lo < hi { let mid = (lo + hi) / 2; if UInt64(graph.offsets[mid]) < goal { lo = mid + 1 } else { hi = mid } }
            bounds.append(lo)
        }
        bounds.append(n)
        let partPairs = UnsafeMutablePointer<[UInt64]>.allocate(capacity: partCount)
        partPairs.initialize(repeating: [], count: partCount)
        defer {
            partPairs.deinitialize(count: partCount)
            partPairs.deallocate()
        }
        graph.edges.withUnsafeBufferPointer { e in
            graph.offsets.withUnsafeBufferPointer { off in
                members.words.withUnsafeBufferPointer { bits in
                    wordRanks.withUnsafeBufferPointer { ranks in
                        let work = RegionScan(edges: e, offsets: off, bits: bits, ranks: ranks, bounds: bounds, pairs: partPairs)
                        DispatchQueue.concurrentPerform(iterations: partCount) { p in work.collect(part: p) }
                    }
                }
            }
        }
        // All pairs in source order, with their sources' classes.
        var pairs: [UInt64] = .hugePaged(capacity: (0..<partCount).reduce(0) { $0 + partPairs[$1].count })
        for p in 0..<partCount {
            pairs += partPairs[p]
            partPairs[p] = []
        }
        var classes = [UInt32](repeating: 0, count: pairs.count)
        let (owner, top) = ownership()
        owner.withUnsafeBufferPointer { owner in
            top.withUnsafeBufferPointer { top in
                for (i, pair) in pairs.enumerated() {
                    let u = Int(pair & 0xffff_ffff)
                    let o = owner[u]
                    classes[i] = o == .max ? top[u] : (o == HeapAnalysis.unreachableOwner ? .max : o)
                }
            }
        }
        SharedRegion.sortByRank(&pairs, carrying: &classes, rankBits: max(1, Int.bitWidth - memberCount.leadingZeroBitCount))
        var offsets = [UInt32](repeating: 0, count: memberCount + 1)
        var edges = [UInt32](repeating: 0, count: pairs.count)
        for (i, pair) in pairs.enumerated() {
            offsets[Int(pair >> 32) + 1] += 1
            edges[i] = UInt32(truncatingIfNeeded: pair)
        }
        for k in 0..<memberCount { offsets[k + 1] += offsets[k] }
        self.members = members
        self.wordRanks = wordRanks
        self.offsets = offsets
        self.edges = edges
        self.sourceClasses = classes
    }

    /// Stable LSD radix sort of (rank << 32 | source) pairs by rank (11 bits a pass), permuting
    /// `carried` alongside.
    static func sortByRank(_ pairs: inout [UInt64], carrying carried: inout [UInt32], rankBits: Int) {
        let bitsPerPass = 11
        let buckets = 1 << bitsPerPass
        var pairsOut = [UInt64](repeating: 0, count: pairs.count)
        var carriedOut = [UInt32](repeating: 0, count: carried.count)
        var shift = 32
        while shift < 32 + rankBits {
            var counts = [Int](repeating: 0, count: buckets + 1)
            for pair in pairs { counts[Int((pair >> UInt64(shift)) & UInt64(buckets - 1)) + 1] += 1 }
            for b in 0..<buckets { counts[b + 1] += counts[b] }
            pairs.withUnsafeBufferPointer { src in
                carried.withUnsafeBufferPointer { csrc in
                    pairsOut.withUnsafeMutableBufferPointer { dst in
                        carriedOut.withUnsafeMutableBufferPointer { cdst in
                            for i in 0..<src.count {
                                let b = Int((src[i] >> UInt64(shift)) & UInt64(buckets - 1))
                                dst[counts[b]] = src[i]
                                cdst[counts[b]] = csrc[i]
                                counts[b] += 1
                            }
                        }
                    }
                }
            }
            swap(&pairs, &pairsOut)
            swap(&carried, &carriedOut)
            shift += bitsPerPass
        }
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

/// The raw buffers one part of the region's edge scan works on; parts write their own pair lists,
/// which is what makes sharing them between threads sound.
private struct RegionScan: @unchecked Sendable {
    let edges: UnsafeBufferPointer<UInt32>
    let offsets: UnsafeBufferPointer<UInt32>
    let bits: UnsafeBufferPointer<UInt64>
    let ranks: UnsafeBufferPointer<UInt32>
    let bounds: [Int]
    /// Per part, its (member rank << 32 | source) pairs in source order.
    let pairs: UnsafeMutablePointer<[UInt64]>

    /// The member rank of node `v`, or nil when it is not a member.
    @inline(__always)
    func rank(_ v: UInt32) -> Int? {
        let w = bits[Int(v) >> 6]
        let bit: UInt64 = 1 << UInt64(v & 63)
        guard w & bit != 0 else { return nil }
        return Int(ranks[Int(v) >> 6]) + (w & (bit &- 1)).nonzeroBitCount
    }

    func collect(part p: Int) {
        var found: [UInt64] = []
        for u in bounds[p]..<bounds[p + 1] {
            for i in Int(offsets[u])..<Int(offsets[u + 1]) {
                guard let k = rank(edges[i]) else { continue }
                found.append(UInt64(k) << 32 | UInt64(u))
            }
        }
        pairs[p] = found
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
