import Testing
import HeapGraph

/// Million-node chains and trees: no recursion may overflow the stack, and the answers are
/// known in closed form.
@Suite struct LargeGraphTests {
    static let n = 1_000_000

    /// Builds a CSR graph from a successor function, node by node.
    static func graph(nodes: Int, edges: Int, _ successors: (Int, inout CSRGraphBuilder) -> Void) -> CSRGraph {
        var b = CSRGraphBuilder(expectedNodes: nodes, expectedEdges: edges)
        for i in 0..<nodes {
            successors(i, &b)
            b.finishNode()
        }
        return b.build()
    }

    /// Counts indices where `actual` differs from `expected(i)` (avoids a million #expects).
    static func mismatches<T: Equatable>(_ actual: [T], _ expected: (Int) -> T) -> Int {
        var bad = 0
        for i in actual.indices where actual[i] != expected(i) { bad += 1 }
        return bad
    }

    @Test("chain of 1,000,000 nodes")
    func chain() {
        let n = Self.n
        let g = Self.graph(nodes: n, edges: n) { i, b in if i + 1 < n { b.addEdge(to: UInt32(i + 1)) } }
        let tree = DominatorTree(graph: g, root: 0)
        #expect(Self.mismatches(tree.idom) { UInt32($0 == 0 ? 0 : $0 - 1) } == 0)
        let sizes = [UInt64](repeating: 2, count: n)
        #expect(Self.mismatches(tree.retainedSizes(nodeSizes: sizes)) { UInt64(2 * (n - $0)) } == 0)
        #expect(tree.dominates(0, UInt32(n - 1)) && !tree.dominates(UInt32(n - 1), 0))
        let spt = ShortestPathTree(graph: g, root: 0)
        #expect(spt.path(to: UInt32(n - 1))?.count == n)
        #expect(g.reachable(from: [UInt32(n / 2)]).count == n - n / 2)
    }

    /// Chain 0 → 1 → ... → n-1 with self-loops, back edges i → i-7 that stay within their
    /// half, a forward skip 0 → n/2 and an edge n-1 → 1 (long eval-compression paths).
    static func chainWithBackEdges(_ n: Int) -> CSRGraph {
        let half = n / 2
        return graph(nodes: n, edges: 4 * n) { i, b in
            if i == 0 { b.addEdge(to: UInt32(half)) }
            if i + 1 < n { b.addEdge(to: UInt32(i + 1)) }
            if i >= 7 && (i < half) == (i - 7 < half) { b.addEdge(to: UInt32(i - 7)) }
            b.addEdge(to: UInt32(i))
            if i == n - 1 { b.addEdge(to: 1) }
        }
    }

    @Test("chain with back edges, self-loops, one forward skip and an end-to-start edge")
    func chainWithBackEdges() {
        // The closed form, first checked against the reference on a small instance.
        func expectedIdom(_ i: Int, _ half: Int) -> UInt32 {
            i == 0 || i == 1 || i == half ? 0 : UInt32(i - 1)
        }
        let small = Self.chainWithBackEdges(1000)
        let lists = (0..<1000).map { Array(small.successors(of: UInt32($0))) }
        #expect(Self.mismatches(Reference.chkIdom(lists, root: 0)) { expectedIdom($0, 500) } == 0)

        let n = Self.n
        let half = n / 2
        let tree = DominatorTree(graph: Self.chainWithBackEdges(n), root: 0)
        #expect(Self.mismatches(tree.idom) { expectedIdom($0, half) } == 0)
        let counts = tree.retainedCounts()
        #expect(Self.mismatches(counts) { i in
            if i == 0 { return UInt32(n) }
            return UInt32(i < half ? half - i : n - i)
        } == 0)
        let ones = [UInt64](repeating: 1, count: n)
        #expect(tree.retainedSizes(nodeSizes: ones) == counts.map(UInt64.init))
    }

    @Test("long path with a side leaf on every node")
    func pathWithSideFan() {
        let len = Self.n / 2
        // Path 0 → 1 → ... → len-1; node i also → len + i.
        let g = Self.graph(nodes: 2 * len, edges: 2 * len) { i, b in
            guard i < len else { return }
            b.addEdge(to: UInt32(len + i))
            if i + 1 < len { b.addEdge(to: UInt32(i + 1)) }
        }
        let tree = DominatorTree(graph: g, root: 0)
        #expect(Self.mismatches(tree.idom) { i in
            i == 0 ? 0 : UInt32(i < len ? i - 1 : i - len)
        } == 0)
        let retained = tree.retainedSizes(nodeSizes: [UInt64](repeating: 1, count: 2 * len))
        #expect(Self.mismatches(retained) { i in UInt64(i < len ? 2 * (len - i) : 1) } == 0)
        #expect(tree.dominates(UInt32(len / 2), UInt32(len + len - 1)))
        #expect(!tree.dominates(UInt32(len + 3), UInt32(4)))
        #expect(tree.depth(of: UInt32(2 * len - 1)) == len)
    }

    @Test("complete binary tree of 2^20 - 1 nodes, plus edges back to the root")
    func binaryTree() {
        let n = (1 << 20) - 1
        let g = Self.graph(nodes: n, edges: 3 * n) { i, b in
            if 2 * i + 1 < n { b.addEdge(to: UInt32(2 * i + 1)) }
            if 2 * i + 2 < n { b.addEdge(to: UInt32(2 * i + 2)) }
            if i % 3 == 0 { b.addEdge(to: 0) }
        }
        let tree = DominatorTree(graph: g, root: 0)
        #expect(Self.mismatches(tree.idom) { i in UInt32(i == 0 ? 0 : (i - 1) / 2) } == 0)
        // Subtree size of heap node i at depth d (complete tree): 2^(20 - d) - 1.
        #expect(Self.mismatches(tree.retainedCounts()) { i in
            let depth = Int.bitWidth - 1 - (i + 1).leadingZeroBitCount
            return UInt32((1 << (20 - depth)) - 1)
        } == 0)
    }
}
