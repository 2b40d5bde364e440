/// Breadth-first shortest paths (fewest edges) from one root.
///
/// Holds `parent[n]` for every node id: the node before `n` on one shortest path from `root`;
/// `parent[root] == root`; `UInt32.max` for nodes not reachable from `root`.
/// Invariant: following `parent` from any reached node ends at `root` without cycles, and
/// each step goes one BFS level closer to the root. Among equally short paths, the one whose
/// predecessor was dequeued first (lowest BFS order) is kept.
///
/// Memory: 4 bytes per node kept (`parent`), plus a 4-byte-per-reached-node queue while building.
public struct ShortestPathTree: Sendable {
    /// The start of every path.
    public let root: UInt32
    /// Parent of each node on a shortest path from `root`; see the type's documentation.
    public let parent: [UInt32]

    /// Runs an iterative BFS of `graph` from `root` (which must be `< graph.nodeCount`).
    public init(graph: CSRGraph, root: UInt32) {
        let n = graph.nodeCount
        precondition(Int(root) < n, "ShortestPathTree: root \(root) out of range")
        self.root = root
        var parent = [UInt32](repeating: .max, count: n)
        let queue = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
        defer { queue.deallocate() }
        graph.offsets.withUnsafeBufferPointer { off in
            graph.edges.withUnsafeBufferPointer { ed in
                parent.withUnsafeMutableBufferPointer { par in
                    par[Int(root)] = root
                    queue[0] = root
                    var head = 0
                    var tail = 1
                    while head < tail {
                        let u = queue[head]
                        head += 1
                        for k in Int(off[Int(u)])..<Int(off[Int(u) + 1]) {
                            let t = ed[k]
                            if par[Int(t)] == .max {
                                par[Int(t)] = u
                                queue[tail] = t
                                tail += 1
                            }
                        }
                    }
                }
            }
        }
        self.parent = parent
    }

    /// Was `node` reached from `root`?
    @inlinable
    public func isReachable(_ node: UInt32) -> Bool {
        Int(node) < parent.count && parent[Int(node)] != .max
    }

    /// The nodes of a shortest path `root, ..., node` (just `[root]` for the root itself),
    /// or nil if `node` is unreached or out of range.
    public func path(to node: UInt32) -> [UInt32]? {
        guard isReachable(node) else { return nil }
        var path: [UInt32] = [node]
        var n = node
        while n != root {
            n = parent[Int(n)]
            path.append(n)
        }
        path.reverse()
        return path
    }

    /// Number of edges on the shortest path to `node`, or nil if unreached.
    public func distance(to node: UInt32) -> Int? {
        guard isReachable(node) else { return nil }
        var d = 0
        var n = node
        while n != root {
            n = parent[Int(n)]
            d += 1
        }
        return d
    }
}
