extension DominatorTree {
    /// Retained size of every node id: its own `nodeSizes[n]` plus the retained sizes of its
    /// dominator-tree children, i.e. the total size of the nodes it dominates. Unreachable
    /// nodes get 0. `nodeSizes.count` must equal `nodeCount`. Sums wrap on overflow (2^64).
    ///
    /// No recursion: nodes are visited in reverse dominator-tree preorder, so every node is
    /// complete before it is added to its idom. Temporaries: 4 bytes per reachable node.
    public func retainedSizes(nodeSizes: [UInt64]) -> [UInt64] {
        var result = nodeSizes
        accumulateRetained(&result)
        return result
    }

    /// `values` holds every node's own size on entry and its retained size on return (0 for unreachable
    /// nodes): the same as `retainedSizes` without a second array. `order` is `nodesInPreorder()`, if
    /// the caller has it already.
    public func accumulateRetained(_ values: inout [UInt64], order given: [UInt32]? = nil) {
        let n = nodeCount
        precondition(values.count == n, "accumulateRetained: values.count != nodeCount")
        let order = given ?? nodesInPreorder()
        order.withUnsafeBufferPointer { ord in
            idom.withUnsafeBufferPointer { dom in
                values.withUnsafeMutableBufferPointer { res in
                    for i in 0..<n where dom[i] == .max { res[i] = 0 }
                    // Reverse preorder: a node's children are complete before it is added to its idom.
                    var i = ord.count - 1
                    while i > 0 {
                        let node = Int(ord[i])
                        res[Int(dom[node])] &+= res[node]
                        i -= 1
                    }
                }
            }
        }
    }

    /// Retained object count of every node id: how many nodes it dominates, itself included
    /// (0 when unreachable). The same as `subtreeSize`, and as `retainedSizes` with sizes of 1.
    public func retainedCounts() -> [UInt32] {
        subtreeSize
    }

    /// The dominator tree as a graph: the successors of `n` are the nodes `n` immediately
    /// dominates, in increasing id order. Unreachable nodes have no children and are no one's
    /// child; the root is no one's child. 8 bytes per node + 4 bytes per reachable non-root node.
    public func children() -> CSRGraph {
        let n = nodeCount
        let childCount = max(reachableCount - 1, 0)
        var offsets = [UInt32](repeating: 0, count: n + 1)
        var edges = [UInt32](repeating: 0, count: childCount)
        idom.withUnsafeBufferPointer { dom in
            offsets.withUnsafeMutableBufferPointer { off in
                for node in 0..<n {
                    let d = dom[node]
                    if d != .max && node != Int(root) { off[Int(d)] &+= 1 }
                }
                // Inclusive prefix sums: off[d] = end of d's list; then fill backwards.
                var sum: UInt32 = 0
                for d in 0..<n {
                    sum &+= off[d]
                    off[d] = sum
                }
                off[n] = sum
                edges.withUnsafeMutableBufferPointer { ed in
                    var node = n
                    while node > 0 {
                        node -= 1
                        let d = dom[node]
                        if d != .max && node != Int(root) {
                            off[Int(d)] &-= 1
                            ed[Int(off[Int(d)])] = UInt32(truncatingIfNeeded: node)
                        }
                    }
                }
            }
        }
        return CSRGraph(offsets: offsets, edges: edges)
    }
}
