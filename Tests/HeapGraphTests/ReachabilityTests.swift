import Testing
import HeapGraph

/// NodeSet, reachable(from:) and ShortestPathTree against BFS references.
@Suite struct ReachabilityTests {
    @Test("NodeSet insert, remove, contains, count, iteration")
    func nodeSet() {
        var s = NodeSet(count: 130)
        #expect(s.isEmpty && s.capacity == 130)
        #expect(s.insert(0) && s.insert(64) && s.insert(129) && !s.insert(64))
        #expect(s.count == 3 && s.contains(129) && !s.contains(1) && !s.contains(500))
        #expect(Array(s) == [0, 64, 129])
        #expect(s.remove(64) && !s.remove(64) && s.count == 2)
        #expect(Array(s) == [0, 129])
        #expect(Array(NodeSet(count: 0)).isEmpty)
    }

    @Test("reachable(from:) vs BFS, one to several roots", arguments: 0..<4)
    func reachable(batch: Int) {
        var rng = SplitMix64(seed: 0x4E_0000 + UInt64(batch))
        for _ in 0..<250 {
            let g = TestGraph.random(&rng, maxNodes: 200)
            let roots = (0...rng.below(4)).map { _ in UInt32(rng.below(g.nodeCount)) }
            let ref = Reference.reachable(g.lists, from: roots)
            let set = g.csr.reachable(from: roots)
            #expect(set.count == ref.filter { $0 }.count)
            for v in 0..<g.nodeCount { #expect(set.contains(UInt32(v)) == ref[v]) }
            #expect(Array(set) == ref.indices.filter { ref[$0] }.map(UInt32.init))
        }
        #expect(CSRGraph(nodeCount: 3).reachable(from: []).isEmpty)
    }

    @Test("ShortestPathTree distances and paths vs BFS", arguments: 0..<4)
    func shortestPaths(batch: Int) {
        var rng = SplitMix64(seed: 0x5B_0000 + UInt64(batch))
        for _ in 0..<250 {
            let g = TestGraph.random(&rng, maxNodes: 200)
            let dist = Reference.distances(g.lists, root: g.root)
            let spt = ShortestPathTree(graph: g.csr, root: g.root)
            #expect(spt.parent[Int(g.root)] == g.root)
            for v in 0..<g.nodeCount {
                let path = spt.path(to: UInt32(v))
                if dist[v] < 0 {
                    #expect(path == nil && spt.parent[v] == .max && spt.distance(to: UInt32(v)) == nil)
                    continue
                }
                guard let path else {
                    Issue.record("no path to reachable node \(v)")
                    continue
                }
                #expect(path.count == dist[v] + 1 && spt.distance(to: UInt32(v)) == dist[v])
                #expect(path.first == g.root && path.last == UInt32(v))
                for k in 1..<max(path.count, 1) where !g.lists[Int(path[k - 1])].contains(path[k]) {
                    Issue.record("path step \(path[k - 1]) → \(path[k]) is not an edge")
                }
            }
        }
    }
}
