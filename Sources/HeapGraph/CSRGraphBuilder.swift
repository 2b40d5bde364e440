/// Builds a `CSRGraph` node by node, in id order (node 0 first).
///
/// `addEdge(to:)` appends a successor to the current node; `finishNode()` closes the current
/// node and makes the next id current. A target equal to the previous target of the same node
/// is dropped (consecutive duplicates only). Targets may name nodes not yet finished; `build()`
/// checks (in debug builds) that every target is below the final node count.
///
/// Invariant: `offsets` holds `finishedNodes + 1` entries, the last being `edges.count` at
/// the time the last node was finished; edges after it belong to the current, unfinished node.
public struct CSRGraphBuilder: Sendable {
    @usableFromInline var offsets: [UInt32]
    @usableFromInline var edges: [UInt32]
    /// `offsets.last` as an Int, cached.
    @usableFromInline var currentStart: Int = 0

    /// Reserves room for `expectedNodes` nodes and `expectedEdges` edges.
    public init(expectedNodes: Int = 0, expectedEdges: Int = 0) {
        offsets = .hugePaged(capacity: expectedNodes + 1)
        offsets.append(0)
        edges = .hugePaged(capacity: expectedEdges)
    }

    /// Number of finished nodes; also the id of the current node.
    public var nodeCount: Int { offsets.count - 1 }

    /// Number of edges appended so far (including those of the current node).
    public var edgeCount: Int { edges.count }

    /// Appends the edge current node → `target`, unless `target` repeats the current node's last target.
    @inlinable
    public mutating func addEdge(to target: UInt32) {
        appendEdge(target)
    }

    /// Edges left out because the graph already had the most 32-bit offsets can address.
    public var droppedEdges: Int { dropped }
    @usableFromInline var dropped = 0

    @inlinable
    internal mutating func appendEdge(_ target: UInt32) {
        if edges.count > currentStart, edges[edges.count - 1] == target { return }
        guard edges.count < Int(UInt32.max) - 1 else { dropped += 1; return }
        edges.append(target)
    }

    /// Appends every target of `targets` to the current node (consecutive duplicates dropped).
    public mutating func addEdges<S: Sequence>(to targets: S) where S.Element == UInt32 {
        for t in targets { appendEdge(t) }
    }

    /// Closes the current node; the next node id becomes current.
    @inlinable
    public mutating func finishNode() {
        offsets.append(UInt32(edges.count))
        currentStart = edges.count
    }

    /// Closes `count` nodes in a row (the first gets any pending edges, the rest none).
    public mutating func finishNodes(_ count: Int) {
        for _ in 0..<count { finishNode() }
    }

    /// The graph of all finished nodes. Pending edges of an unfinished current node close it
    /// as a last node; an unfinished current node without edges is not included.
    public consuming func build() -> CSRGraph {
        if edges.count > currentStart { finishNode() }
        return CSRGraph(offsets: offsets, edges: edges)
    }
}
