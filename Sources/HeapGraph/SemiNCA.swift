import CPrefetch

/// The Semi-NCA dominator algorithm (Georgiadis, Tarjan, Werneck, "Finding dominators in
/// practice", 2006), fully iterative, over raw buffers. Internal engine of `DominatorTree`.
///
/// Works in DFS-preorder numbering (`0..<R`, root = 0, R = reachable nodes) and returns arrays
/// indexed by node id. Nothing recurses: the DFS keeps an explicit stack of node ids, and path
/// compression reverses the ancestor pointers in place instead of using a stack.
///
/// The DFS reads each successor list once, in order, and tests "visited" in a bit set (small
/// enough to stay mostly in cache), so it costs about three dependent cache misses per
/// reached node (offsets, edges, visited bits). Tree edges
/// are implied by `parent`; every other edge between reached nodes (back, cross, forward,
/// duplicate; not self-loops, not into the root) is logged, and turned into predecessor lists
/// in preorder numbering afterwards, in tight loops whose cache misses overlap.
///
/// Extra memory, N = node count (working arrays are sized N because the DFS learns R only
/// at its end; pages past R are never touched), X = logged non-tree edges:
/// - `pre` (4N): node → preorder; becomes the output `idom` in place;
/// - `vertex` (until the end), `parent` (later idom), `off` (predecessor counts, then
///   offsets, then `semi[v]` at `off[v + 1]`, then dominator-tree preorder): 4N each;
/// - `link` (8N): `ancestor` and `label` of each vertex side by side, so that eval's
///   pointer chasing touches one cache line per step. `label` holds the DFS parent (initial
///   semidominator bound), then the eval label, then the dominator-subtree size; `ancestor`
///   later the next free dominator-tree preorder slot;
/// - during the DFS only: `visited` (N/8) and the stack (4 bytes per pushed edge and per
///   open node);
/// - the edge log (4 bytes per edge in X, plus 4 per run of one source) while `preds`
///   (4X) is built; `preds` until the semidominators are known;
/// - the outputs `subtreeSize` and `preorder` (4N each), filled in one pass while `pre`,
///   `parent`, `link` and `off` are still there (`vertex` is freed first).
/// Peak: 28 bytes per node (while gathering the outputs), or 24 bytes per node + 8 bytes per
/// non-tree edge (while building `preds`), whichever is larger; 12 bytes per node stay in
/// the result. Limit: fewer than 2^31 nodes (bit 31 tags the sources in the edge log).
enum SemiNCA {
    /// What `run` returns; see `DominatorTree` for the meaning of each field.
    struct Output: Sendable {
        var idom: [UInt32]
        var preorder: [UInt32]
        var subtreeSize: [UInt32]
        var reachableCount: Int
        /// Per `OptionalEdges` given to `run`: whether its edges were followed.
        var optionalTaken: [Bool] = []
    }

    /// Tags a source entry in the DFS's edge log.
    private static let sourceTag: UInt32 = 1 << 31

    static func run(graph: CSRGraph, root: UInt32, optional: [OptionalEdges] = []) -> Output {
        let n = graph.nodeCount
        precondition(Int(root) < n, "DominatorTree: root \(root) out of range (nodeCount \(n))")
        precondition(n < Int(sourceTag), "DominatorTree: at most 2^31 - 1 nodes")
        var pre = [UInt32].hugePaged(repeating: .max, count: n)
        var vertex: UnsafeMutablePointer<UInt32>? = HugePages.allocate(UInt32.self, count: n)
        let parent = HugePages.allocate(UInt32.self, count: n)
        let link = HugePages.allocate(UInt32.self, count: 2 * n)
        let off = HugePages.allocate(UInt32.self, count: n + 1)
        defer {
            vertex?.deallocate()
            parent.deallocate()
            link.deallocate()
            off.deallocate()
        }
        var r = 0
        var taken = [Bool](repeating: false, count: optional.count)
        var preorderOut: [UInt32] = []
        var sizeOut: [UInt32] = []
        graph.offsets.withUnsafeBufferPointer { goff in
            graph.edges.withUnsafeBufferPointer { ged in
                pre.withUnsafeMutableBufferPointer { preBuf in
                    let pre = preBuf.baseAddress!
                    var edgeLog = UInt32Stack(capacity: 1 << 16)
                    var gate = OptionalGate(optional, taken: &taken)
                    r = depthFirst(goff: goff, ged: ged, root: root, pre: pre, vertex: vertex!,
                                   parent: parent, link: link, edgeLog: &edgeLog, gate: &gate)
                    taken = gate.taken
                    let preds = predecessorLists(reachable: r, pre: pre, edgeLog: edgeLog, off: off)
                    semidominators(reachable: r, parent: parent, link: link, off: off, preds: preds)
                    preds.deallocate()
                    nearestCommonAncestors(reachable: r, parent: parent, semiAt: off)
                    treeLayout(reachable: r, idom: parent, link: link, preorder: off)
                    // idom as node ids, so that `vertex` can go before the outputs come.
                    for v in 0..<r { parent[v] = vertex![Int(parent[v])] }
                    vertex!.deallocate()
                    vertex = nil
                    (sizeOut, preorderOut) = gatherOutputs(
                        nodeCount: n, pre: pre, idomNode: parent, link: link, preorder: off)
                }
            }
        }
        return Output(idom: pre, preorder: preorderOut, subtreeSize: sizeOut, reachableCount: r, optionalTaken: taken)
    }

    /// Iterative DFS from `root`. Fills `pre` (node → preorder), `vertex` (preorder → node),
    /// `parent` (DFS tree, preorder numbers) and `label(v) = link[2v + 1] = parent[v]`.
    /// Logs every non-tree edge `u → t` between reached nodes, except self-loops and edges
    /// into the root, in `edgeLog` as runs: a source `pre(u) | sourceTag`, then target
    /// node ids. Returns the number of reached nodes.
    ///
    /// Visiting a node pushes a frame marker, then those successors that are not yet
    /// visited (the others are back or cross edges, logged at once). Popping an unvisited
    /// node visits it as a child of the frame's owner, `current`; popping a visited one is a
    /// forward (or duplicate) edge from `current`, logged; popping a marker closes
    /// `current`'s frame. This is exactly recursive DFS order, without recursion.
    private static func depthFirst(
        goff: UnsafeBufferPointer<UInt32>, ged: UnsafeBufferPointer<UInt32>, root: UInt32,
        pre: UnsafeMutablePointer<UInt32>, vertex: UnsafeMutablePointer<UInt32>,
        parent: UnsafeMutablePointer<UInt32>, link: UnsafeMutablePointer<UInt32>,
        edgeLog: inout UInt32Stack, gate: inout OptionalGate
    ) -> Int {
        let n = goff.count - 1
        let marker = UInt32.max
        let visited = HugePages.allocate(UInt64.self, count: (n + 63) >> 6)
        visited.initialize(repeating: 0, count: (n + 63) >> 6)
        defer { visited.deallocate() }
        var stack = UInt32Stack(capacity: 1 << 16)
        visited[Int(root) >> 6] |= 1 << UInt64(root & 63)
        pre[Int(root)] = 0
        vertex[0] = root
        parent[0] = 0
        link[1] = 0
        var count: UInt32 = 1
        var current: UInt32 = 0
        var loggedSource = UInt32.max
        var p: UInt32 = 0
        var node = root
        while true {
            // Expand `node` (preorder p).
            let start = Int(goff[Int(node)])
            var end = Int(goff[Int(node) + 1])
            if node >= gate.lowest {
                end = gate.end(of: node, end: end) { pre[Int($0)] != .max }
            }
            if start < end {
                let frame = stack.count
                stack.push(marker)
                for k in start..<end {
                    let t = ged[k]
                    if visited[Int(t) >> 6] & (1 << UInt64(t & 63)) == 0 {
                        // Its successor list is read when it is popped: fetch where that starts.
                        coreview_prefetch(goff.baseAddress! + Int(t))
                        stack.push(t)
                    } else if t != node && t != root {
                        if loggedSource != p {
                            edgeLog.push(p | sourceTag)
                            loggedSource = p
                        }
                        edgeLog.push(t)
                    }
                }
                if stack.count == frame + 1 {
                    stack.count = frame  // nothing pushed: drop the marker
                } else {
                    current = p
                }
            }
            // Pop until an unvisited node turns up.
            var found = false
            while stack.count > 0 {
                let x = stack.pop()
                if x == marker {
                    current = parent[Int(current)]
                    continue
                }
                let word = Int(x) >> 6
                let bit: UInt64 = 1 << UInt64(x & 63)
                if visited[word] & bit != 0 {
                    if loggedSource != current {
                        edgeLog.push(current | sourceTag)
                        loggedSource = current
                    }
                    edgeLog.push(x)
                    continue
                }
                visited[word] |= bit
                p = count
                count += 1
                pre[Int(x)] = p
                vertex[Int(p)] = x
                parent[Int(p)] = current
                link[2 * Int(p) + 1] = current
                node = x
                found = true
                break
            }
            if !found { break }
        }
        return Int(count)
    }

    /// Builds predecessor lists in preorder numbering from the DFS's edge log: on return the
    /// logged predecessors of `v` are `preds[off[v]..<off[v + 1]]`. Consumes (frees) the log.
    private static func predecessorLists(
        reachable r: Int, pre: UnsafeMutablePointer<UInt32>, edgeLog: consuming UInt32Stack,
        off: UnsafeMutablePointer<UInt32>
    ) -> UnsafeMutablePointer<UInt32> {
        let log = edgeLog.base
        let m = edgeLog.count
        off.initialize(repeating: 0, count: r + 1)
        // Translate targets to preorder numbers in place, and count.
        for i in 0..<m {
            let e = log[i]
            if e & sourceTag == 0 {
                let q = pre[Int(e)]
                log[i] = q
                off[Int(q)] += 1
            }
        }
        // Inclusive prefix sums: off[v] = end of v's list. Traps past 2^32 edges.
        var sum: UInt32 = 0
        for v in 0..<r {
            sum += off[v]
            off[v] = sum
        }
        off[r] = sum
        let preds = UnsafeMutablePointer<UInt32>.allocate(capacity: max(Int(sum), 1))
        var source: UInt32 = 0
        for i in 0..<m {
            let e = log[i]
            if e & sourceTag != 0 {
                source = e & ~sourceTag
            } else {
                let slot = off[Int(e)] - 1
                off[Int(e)] = slot
                preds[Int(slot)] = source
            }
        }
        edgeLog.release()
        return preds
    }

    /// Semidominators, in reverse preorder. `label(w)` (`link[2w + 1]`) holds `parent[w]`
    /// on entry (the tree edge's candidate). A predecessor `v < w` is unprocessed and is its
    /// own candidate. For a processed vertex `v` (v > w), `ancestor(v)`
    /// (`link[2v]`) points up the virtual forest and `label(v)` is the least semidominator on
    /// the path from `v` up to, excluding, its forest root (eval with path compression).
    /// On return `semi[w]` is at `off[w + 1]` for `w` in `1..<r` (that slot is dead once `w`
    /// has read its own range).
    private static func semidominators(
        reachable r: Int, parent: UnsafeMutablePointer<UInt32>, link: UnsafeMutablePointer<UInt32>,
        off: UnsafeMutablePointer<UInt32>, preds: UnsafeMutablePointer<UInt32>
    ) {
        link[0] = 0
        var w = r - 1
        while w >= 1 {
            let w32 = UInt32(truncatingIfNeeded: w)
            var s = link[2 * w + 1]
            for k in Int(off[w])..<Int(off[w + 1]) {
                let v = Int(preds[k])
                let lab: UInt32
                if v < w {
                    lab = UInt32(truncatingIfNeeded: v)
                } else if link[2 * v] <= w32 {
                    lab = link[2 * v + 1]
                } else {
                    lab = evalCompress(v, w32, link: link)
                }
                if lab < s { s = lab }
            }
            link[2 * w + 1] = s
            off[w + 1] = s
            link[2 * w] = parent[w]  // link w under its DFS parent
            w -= 1
        }
    }

    /// Eval with path compression for a processed `v` whose ancestor is processed too
    /// (`ancestor(v) > w`). Two passes, no stack: the way up reverses the ancestor pointers
    /// of the path, the way down points them all at the forest root and pushes the running
    /// minimum label down. Returns the new `label(v)`.
    @inline(__always)
    private static func evalCompress(_ v: Int, _ w: UInt32, link: UnsafeMutablePointer<UInt32>) -> UInt32 {
        var prev = UInt32.max
        var cur = v
        var a = link[2 * cur]
        while a > w {
            link[2 * cur] = prev
            prev = UInt32(truncatingIfNeeded: cur)
            cur = Int(a)
            a = link[2 * cur]
        }
        // cur: top processed vertex of the path; a: the forest root (unprocessed).
        var lab = link[2 * cur + 1]
        var x = prev
        while x != .max {
            let xi = Int(x)
            let next = link[2 * xi]
            link[2 * xi] = a
            let lx = link[2 * xi + 1]
            if lab < lx { link[2 * xi + 1] = lab } else { lab = lx }
            x = next
        }
        return lab
    }

    /// idom[v] = the nearest ancestor of parent[v] in the dominator tree built so far whose
    /// number is <= semi[v]; in preorder, so ancestors are final. Overwrites `parent`.
    private static func nearestCommonAncestors(
        reachable r: Int, parent: UnsafeMutablePointer<UInt32>, semiAt off: UnsafeMutablePointer<UInt32>
    ) {
        if r < 2 { return }
        for v in 1..<r {
            let s = off[v + 1]
            var x = parent[v]
            while x > s { x = parent[Int(x)] }
            parent[v] = x
        }
    }

    /// Dominator-subtree sizes (into the label slots of `link`) and a preorder numbering of
    /// the dominator tree (into `preorder`), children in DFS order, using the ancestor slots
    /// of `link` as each node's next free preorder slot. Both rely on idom[v] < v.
    private static func treeLayout(
        reachable r: Int, idom: UnsafeMutablePointer<UInt32>, link: UnsafeMutablePointer<UInt32>,
        preorder: UnsafeMutablePointer<UInt32>
    ) {
        for v in 0..<r { link[2 * v + 1] = 1 }
        var v = r - 1
        while v >= 1 {
            link[2 * Int(idom[v]) + 1] += link[2 * v + 1]
            v -= 1
        }
        preorder[0] = 0
        link[0] = 1
        if r < 2 { return }
        for v in 1..<r {
            let p = Int(idom[v])
            let d = link[2 * p]
            preorder[v] = d
            link[2 * p] = d + link[2 * v + 1]
            link[2 * v] = d + 1
        }
    }

    /// The node-indexed outputs, in one pass over the nodes whose three random reads per node
    /// overlap: `subtreeSize` (from the label slots of `link`), dominator-tree `preorder`,
    /// and `idom`, written over `pre` in place.
    private static func gatherOutputs(
        nodeCount n: Int, pre: UnsafeMutablePointer<UInt32>, idomNode: UnsafeMutablePointer<UInt32>,
        link: UnsafeMutablePointer<UInt32>, preorder: UnsafeMutablePointer<UInt32>
    ) -> (subtreeSize: [UInt32], preorder: [UInt32]) {
        var sizes = [UInt32].hugePaged(repeating: 0, count: n)
        var order = [UInt32].hugePaged(repeating: .max, count: n)
        sizes.withUnsafeMutableBufferPointer { sz in
            order.withUnsafeMutableBufferPointer { po in
                for node in 0..<n {
                    let p = Int(pre[node])
                    if p == Int(UInt32.max) { continue }
                    sz[node] = link[2 * p + 1]
                    po[node] = preorder[p]
                    pre[node] = idomNode[p]
                }
            }
        }
        return (sizes, order)
    }
}

/// Edges at the end of a node's successor list that count only when another node has not been
/// reached by the time the DFS expands that node (an object with a finalizer keeps what it points to
/// only when nothing else reaches it: its finalizer root's edges to those referents are optional).
public struct OptionalEdges: Sendable {
    /// The node whose successor list ends with the optional edges.
    public var node: UInt32
    /// Index in the graph's `edges` of the first optional edge (the rest of the list is optional).
    public var firstEdge: Int
    /// The edges are followed only if this node is still unreached when `node` is expanded.
    public var unlessReached: UInt32

    public init(node: UInt32, firstEdge: Int, unlessReached: UInt32) {
        self.node = node
        self.firstEdge = firstEdge
        self.unlessReached = unlessReached
    }
}

/// The DFS's view of the optional edges: which nodes have some, found with one comparison for
/// the common node that has none.
struct OptionalGate {
    let items: [OptionalEdges]
    /// Smallest node with optional edges (UInt32.max when none).
    let lowest: UInt32
    var taken: [Bool]

    init(_ items: [OptionalEdges], taken: inout [Bool]) {
        self.items = items
        lowest = items.map(\.node).min() ?? .max
        self.taken = taken
    }

    /// The end of `node`'s successors to follow: `end`, or the first optional edge when the node's
    /// condition node is already reached.
    mutating func end(of node: UInt32, end: Int, isReached: (UInt32) -> Bool) -> Int {
        var limit = end
        for (i, o) in items.enumerated() where o.node == node {
            if isReached(o.unlessReached) {
                limit = min(limit, o.firstEdge)
            } else {
                taken[i] = true
            }
        }
        return limit
    }
}
