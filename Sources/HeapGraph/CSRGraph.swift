/// A directed graph in compressed sparse row (CSR) form.
///
/// Holds the successor lists of nodes `0..<nodeCount` back to back in `edges`;
/// the successors of node `n` are `edges[offsets[n]..<offsets[n + 1]]`.
///
/// Invariants (checked by `init` in debug builds, and by `validate()` on request):
/// - `offsets.count == nodeCount + 1`, `offsets[0] == 0`, `offsets.last == edges.count`;
/// - `offsets` is non-decreasing;
/// - every edge target is `< nodeCount`;
/// - `nodeCount < UInt32.max` (`UInt32.max` is used as "no node" throughout this module).
///
/// - `edges.count < UInt32.max` (offsets are 32-bit: 4 G pointers is a heap of 32 GiB of pointer
///   words alone; `CSRGraphBuilder` drops and counts edges beyond it).
///
/// Self-loops and duplicate edges are allowed. Memory: 4 bytes per node plus 4 bytes per edge.
public struct CSRGraph: Sendable {
    /// Start of each node's successor list in `edges`; `nodeCount + 1` entries.
    public var offsets: [UInt32]
    /// Successor ids of all nodes, node 0's first.
    public var edges: [UInt32]

    /// Wraps existing CSR arrays. `offsets` must have `nodeCount + 1` entries (at least one).
    public init(offsets: [UInt32], edges: [UInt32]) {
        precondition(!offsets.isEmpty, "CSRGraph: offsets needs nodeCount + 1 entries")
        precondition(offsets.count - 1 < Int(UInt32.max), "CSRGraph: too many nodes")
        precondition(Int(offsets.last!) == edges.count, "CSRGraph: offsets.last != edges.count")
        self.offsets = offsets
        self.edges = edges
        assert(validate() == nil, "CSRGraph: \(validate() ?? "")")
    }

    /// An empty graph with `nodeCount` nodes and no edges.
    public init(nodeCount: Int) {
        self.init(offsets: [UInt32](repeating: 0, count: nodeCount + 1), edges: [])
    }

    /// Number of nodes.
    @inlinable public var nodeCount: Int { offsets.count - 1 }

    /// Number of edges.
    @inlinable public var edgeCount: Int { edges.count }

    /// Index range of the successors of `node` in `edges`.
    @inlinable public func edgeRange(of node: UInt32) -> Range<Int> {
        Int(offsets[Int(node)])..<Int(offsets[Int(node) + 1])
    }

    /// The successors of `node`.
    @inlinable public func successors(of node: UInt32) -> ArraySlice<UInt32> {
        edges[edgeRange(of: node)]
    }

    /// Number of successors of `node` (duplicates counted).
    @inlinable public func outDegree(of node: UInt32) -> Int {
        Int(offsets[Int(node) + 1] &- offsets[Int(node)])
    }

    /// Checks every invariant in O(nodes + edges); returns a description of the first violation, or nil.
    public func validate() -> String? {
        if offsets.isEmpty { return "offsets is empty" }
        if offsets[0] != 0 { return "offsets[0] != 0" }
        if Int(offsets.last!) != edges.count { return "offsets.last != edges.count" }
        let n = nodeCount
        if n >= Int(UInt32.max) { return "too many nodes" }
        for i in 0..<n where offsets[i] > offsets[i + 1] {
            return "offsets decrease at node \(i)"
        }
        for (i, t) in edges.enumerated() where Int(t) >= n {
            return "edge \(i) targets \(t), nodeCount is \(n)"
        }
        return nil
    }
}
