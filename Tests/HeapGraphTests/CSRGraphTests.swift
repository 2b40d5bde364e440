import Testing
import HeapGraph

/// CSRGraph accessors, CSRGraphBuilder and reversed().
@Suite struct CSRGraphTests {
    @Test("builder round trip on random lists without consecutive duplicates", arguments: 0..<4)
    func builderRoundTrip(batch: Int) {
        var rng = SplitMix64(seed: 0xC5_0000 + UInt64(batch))
        for _ in 0..<200 {
            let g = TestGraph.random(&rng, maxNodes: 150)
            let lists = g.lists.map { l in
                l.enumerated().filter { $0.offset == 0 || l[$0.offset - 1] != $0.element }.map(\.element)
            }
            var b = CSRGraphBuilder(expectedNodes: lists.count)
            for l in lists {
                for t in l { b.addEdge(to: t) }
                b.finishNode()
            }
            let csr = b.build()
            #expect(csr.nodeCount == lists.count)
            #expect(csr.edgeCount == lists.reduce(0) { $0 + $1.count })
            for (i, l) in lists.enumerated() {
                #expect(Array(csr.successors(of: UInt32(i))) == l)
                #expect(csr.outDegree(of: UInt32(i)) == l.count)
            }
            #expect(csr.validate() == nil)
        }
    }

    @Test("builder drops consecutive duplicates only, closes a pending node, finishNodes")
    func builderDetails() {
        var b = CSRGraphBuilder()
        b.addEdges(to: [1, 1, 2, 1, 1])
        b.finishNode()
        b.finishNodes(2)
        b.addEdge(to: 0)
        b.addEdge(to: 0)
        let g = b.build()
        #expect(g.nodeCount == 4)
        #expect(g.offsets == [0, 3, 3, 3, 4])
        #expect(g.edges == [1, 2, 1, 0])
        #expect(g.edgeRange(of: 0) == 0..<3)
        #expect(CSRGraphBuilder().build().nodeCount == 0)
    }

    @Test("reversed(): predecessor lists in id order, twice reversed = sorted original", arguments: 0..<4)
    func reversedRoundTrip(batch: Int) {
        var rng = SplitMix64(seed: 0xAE_0000 + UInt64(batch))
        for _ in 0..<200 {
            let g = TestGraph.random(&rng, maxNodes: 150)
            let r = g.csr.reversed()
            #expect(r.nodeCount == g.nodeCount && r.edgeCount == g.csr.edgeCount)
            var preds = [[UInt32]](repeating: [], count: g.nodeCount)
            for (u, l) in g.lists.enumerated() { for t in l { preds[Int(t)].append(UInt32(u)) } }
            for v in 0..<g.nodeCount { #expect(Array(r.successors(of: UInt32(v))) == preds[v]) }
            let rr = r.reversed()
            for u in 0..<g.nodeCount { #expect(Array(rr.successors(of: UInt32(u))) == g.lists[u].sorted()) }
        }
    }

    @Test("validate() reports broken invariants")
    func validate() {
        var g = CSRGraph(offsets: [0, 1, 2], edges: [1, 0])
        #expect(g.validate() == nil)
        g.edges[0] = 5
        #expect(g.validate() != nil)
        g.edges[0] = 1
        g.offsets[1] = 3
        #expect(g.validate() != nil)
        #expect(CSRGraph(nodeCount: 3).validate() == nil)
    }
}
