import Testing
import HeapGraph

/// Dominator trees of random and hand-made small graphs against the reference algorithms.
@Suite struct DominatorTreeTests {
    /// Checks everything derivable from a reference idom array.
    static func check(_ g: TestGraph, against ref: [UInt32], sizes: [UInt64]) {
        let tree = DominatorTree(graph: g.csr, root: g.root)
        #expect(tree.idom == ref, "idom, graph \(g.lists) root \(g.root)")
        let reach = Reference.reachable(g.lists, from: [g.root])
        #expect(tree.reachableCount == reach.filter { $0 }.count)
        for v in 0..<g.nodeCount {
            #expect(tree.isReachable(UInt32(v)) == reach[v])
        }
        let retained = tree.retainedSizes(nodeSizes: sizes)
        #expect(retained == Reference.retainedSizes(idom: ref, root: g.root, sizes: sizes))
        let ones = [UInt64](repeating: 1, count: g.nodeCount)
        let counts = Reference.retainedSizes(idom: ref, root: g.root, sizes: ones)
        #expect(tree.retainedCounts().map(UInt64.init) == counts)
        // Preorder: root first, idom before node, a permutation of 0..<reachableCount.
        #expect(tree.preorder[Int(g.root)] == 0)
        var seen = [Bool](repeating: false, count: tree.reachableCount)
        for v in 0..<g.nodeCount where reach[v] {
            let p = Int(tree.preorder[v])
            #expect(p < seen.count && !seen[p])
            if p < seen.count { seen[p] = true }
            if v != Int(g.root) { #expect(tree.preorder[Int(ref[v])] < tree.preorder[v]) }
        }
        // children() is the inverse of idom.
        let kids = tree.children()
        #expect(kids.nodeCount == g.nodeCount)
        var parentOf = [UInt32](repeating: .max, count: g.nodeCount)
        for d in 0..<g.nodeCount {
            var last = -1
            for c in kids.successors(of: UInt32(d)) {
                #expect(Int(c) > last, "children sorted")
                last = Int(c)
                parentOf[Int(c)] = UInt32(d)
            }
        }
        for v in 0..<g.nodeCount where v != Int(g.root) { #expect(parentOf[v] == ref[v]) }
        #expect(kids.edgeCount == max(tree.reachableCount - 1, 0))
    }

    @Test("idom, retained sizes, preorder, children vs Cooper-Harvey-Kennedy (3000 graphs)",
          arguments: 0..<6)
    func randomGraphsAgainstCHK(batch: Int) {
        var rng = SplitMix64(seed: 0xD0_0000 + UInt64(batch))
        for _ in 0..<500 {
            let g = TestGraph.random(&rng, maxNodes: 200)
            let sizes = (0..<g.nodeCount).map { _ in UInt64(rng.below(1000)) }
            Self.check(g, against: Reference.chkIdom(g.lists, root: g.root), sizes: sizes)
        }
    }

    @Test("dominates, idom, retained sizes vs brute-force removal (800 graphs)", arguments: 0..<4)
    func randomGraphsAgainstBruteForce(batch: Int) {
        var rng = SplitMix64(seed: 0xB0_0000 + UInt64(batch))
        for _ in 0..<200 {
            let g = TestGraph.random(&rng, maxNodes: 60)
            let n = g.nodeCount
            let m = Reference.dominanceMatrix(g.lists, root: g.root)
            let refIdom = Reference.idomFromMatrix(m, nodeCount: n, root: g.root)
            #expect(Reference.chkIdom(g.lists, root: g.root) == refIdom, "reference disagreement")
            let tree = DominatorTree(graph: g.csr, root: g.root)
            #expect(tree.idom == refIdom)
            var mismatches = 0
            for a in 0..<n {
                for b in 0..<n where tree.dominates(UInt32(a), UInt32(b)) != m[a * n + b] {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0, "dominates() disagrees on \(mismatches) pairs")
            let sizes = (0..<n).map { _ in UInt64(1 + rng.below(64)) }
            var brute = [UInt64](repeating: 0, count: n)
            for d in 0..<n { for v in 0..<n where m[d * n + v] { brute[d] += sizes[v] } }
            #expect(tree.retainedSizes(nodeSizes: sizes) == brute)
        }
    }

    @Test("Lengauer-Tarjan paper example")
    func lengauerTarjanExample() {
        // R A B C D E F G H I J K L = 0...12
        let lists: [[UInt32]] = [
            [1, 2, 3], [4], [1, 4, 5], [6, 7], [12], [8], [9], [9, 10], [5, 11], [11], [9], [9, 0], [8],
        ]
        let g = TestGraph(lists: lists, root: 0)
        let expected: [UInt32] = [0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 7, 0, 4]
        #expect(Reference.chkIdom(lists, root: 0) == expected)
        Self.check(g, against: expected, sizes: (0..<13).map { UInt64($0 + 1) })
    }

    @Test("degenerate graphs: one node, lone root, self-loops only, root not 0")
    func degenerate() {
        let cases: [TestGraph] = [
            TestGraph(lists: [[]], root: 0),
            TestGraph(lists: [[0, 0, 0]], root: 0),
            TestGraph(lists: [[], [0, 2], [1]], root: 0),
            TestGraph(lists: [[1], [1, 1, 2, 2], [0, 0]], root: 1),
            TestGraph(lists: [[1], [2], []], root: 2),
        ]
        for g in cases {
            Self.check(g, against: Reference.chkIdom(g.lists, root: g.root),
                       sizes: (0..<g.nodeCount).map { UInt64(10 * $0 + 3) })
        }
        let lone = DominatorTree(graph: CSRGraph(nodeCount: 4), root: 2)
        #expect(lone.idom == [.max, .max, 2, .max])
        #expect(lone.retainedSizes(nodeSizes: [1, 2, 3, 4]) == [0, 0, 3, 0])
        #expect(lone.dominates(2, 2) && !lone.dominates(2, 0) && !lone.dominates(0, 0))
        #expect(lone.immediateDominator(of: 2) == nil && lone.depth(of: 2) == 0)
        #expect(lone.children().edgeCount == 0)
    }

    @Test("diamond: join point is dominated by the fork only")
    func diamond() {
        let g = TestGraph(lists: [[1, 2], [3], [3], [4], []], root: 0)
        let tree = DominatorTree(graph: g.csr, root: 0)
        #expect(tree.idom == [0, 0, 0, 0, 3])
        #expect(tree.dominates(0, 4) && tree.dominates(3, 4) && !tree.dominates(1, 3))
        #expect(tree.depth(of: 4) == 2 && tree.immediateDominator(of: 3) == 0)
        #expect(tree.retainedSizes(nodeSizes: [1, 10, 100, 1000, 10000]) == [11111, 10, 100, 11000, 10000])
        #expect(tree.nodesInPreorder().first == 0 && tree.nodesInPreorder().count == 5)
    }
}
