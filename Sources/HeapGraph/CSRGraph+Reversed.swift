extension CSRGraph {
    /// The reverse graph: the successors of `n` in the result are the predecessors of `n` here,
    /// in increasing id order, with multiplicity (duplicate edges stay duplicates; self-loops stay).
    ///
    /// Two passes over the edges (a counting sort); no temporaries beyond the result
    /// (8 bytes per node + 4 bytes per edge).
    public func reversed() -> CSRGraph {
        let n = nodeCount
        let m = edgeCount
        var newOffsets = [UInt32](repeating: 0, count: n + 1)
        var newEdges = [UInt32](repeating: 0, count: m)
        offsets.withUnsafeBufferPointer { off in
            edges.withUnsafeBufferPointer { ed in
                newOffsets.withUnsafeMutableBufferPointer { no in
                    // Count in-degrees.
                    for k in 0..<m { no[Int(ed[k])] &+= 1 }
                    // Inclusive prefix sums: no[t] = end of t's list.
                    var sum: UInt32 = 0
                    for t in 0..<n { sum &+= no[t]; no[t] = sum }
                    no[n] = sum
                    // Fill backwards so each list ends up in increasing source order and
                    // no[t] ends at the start of t's list.
                    newEdges.withUnsafeMutableBufferPointer { ne in
                        var src = n
                        while src > 0 {
                            src -= 1
                            var k = Int(off[src + 1])
                            let start = Int(off[src])
                            while k > start {
                                k -= 1
                                let t = Int(ed[k])
                                no[t] &-= 1
                                ne[Int(no[t])] = UInt32(truncatingIfNeeded: src)
                            }
                        }
                    }
                }
            }
        }
        return CSRGraph(offsets: newOffsets, edges: newEdges)
    }
}
