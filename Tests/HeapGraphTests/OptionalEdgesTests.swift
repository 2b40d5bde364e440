import Testing
import HeapGraph

/// Optional edges (a finalizer root's edges to its object's referents, kept only when nothing else
/// reaches the object) against the reference dominators of the graph with or without them.
@Suite struct OptionalEdgesTests {
    /// A random graph plus one node F that only the root points at (first in the root's list, so the
    /// search expands it after everything else the root reaches): F has some plain edges, then
    /// optional ones that count unless node X is reached through the root's other successors.
    @Test("optional edges are taken exactly when their condition node is otherwise unreached (2000 graphs)",
          arguments: 0..<4)
    func randomGraphsWithOptionalEdges(batch: Int) {
        var rng = SplitMix64(seed: 0x0E_0000 + UInt64(batch))
        var taken = 0, dropped = 0
        for _ in 0..<500 {
            let base = TestGraph.random(&rng, maxNodes: 80)
            let n = base.nodeCount
            let f = UInt32(n)
            let x = UInt32(rng.below(n))
            let plain = (0..<rng.below(3)).map { _ in UInt32(rng.below(n)) }
            let optional = (0..<(1 + rng.below(4))).map { _ in UInt32(rng.below(n)) }
            var without = base.lists + [plain]
            without[Int(base.root)].insert(f, at: 0)
            var with = without
            with[Int(f)] += optional
            let g = TestGraph(lists: with, root: base.root)
            let firstOptional = Int(g.csr.offsets[Int(f)]) + plain.count
            let tree = DominatorTree(graph: g.csr, root: g.root,
                                     optional: [OptionalEdges(node: f, firstEdge: firstOptional, unlessReached: x)])
            // Reached before F is expanded: from the root's other successors, not through F.
            var others = without
            others[Int(g.root)].removeAll { $0 == f }
            let reachedFirst = Reference.reachable(others, from: [g.root])[Int(x)]
            #expect(tree.optionalTaken == [!reachedFirst])
            let expected = Reference.chkIdom(reachedFirst ? without : with, root: g.root)
            #expect(tree.idom == expected, "graph \(with) root \(g.root) F \(f) X \(x)")
            if reachedFirst { dropped += 1 } else { taken += 1 }
        }
        // Both outcomes occur, so the test checks both.
        #expect(taken > 50 && dropped > 50, "taken \(taken), dropped \(dropped)")
    }
}
