import HeapGraph

/// Deterministic 64-bit PRNG (splitmix64), so every test run sees the same graphs.
/// Invariant: the whole state is `state`; equal seeds give equal sequences.
struct SplitMix64: Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (bound > 0), by multiply-shift (bias negligible for tests).
    mutating func below(_ bound: Int) -> Int {
        Int((UInt64(bound).multipliedFullWidth(by: next())).high)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < p
    }
}

/// A small test graph as plain successor lists, plus its CSR form and a chosen root.
/// Invariant: `csr` has exactly `lists` as successor lists (duplicates and order kept).
struct TestGraph: Sendable {
    var lists: [[UInt32]]
    var root: UInt32
    var csr: CSRGraph

    init(lists: [[UInt32]], root: UInt32) {
        self.lists = lists
        self.root = root
        csr = TestGraph.makeCSR(lists)
    }

    var nodeCount: Int { lists.count }

    /// CSR with every list kept exactly (consecutive duplicates included).
    static func makeCSR(_ lists: [[UInt32]]) -> CSRGraph {
        var offsets: [UInt32] = [0]
        var edges: [UInt32] = []
        for l in lists {
            edges.append(contentsOf: l)
            offsets.append(UInt32(edges.count))
        }
        return CSRGraph(offsets: offsets, edges: edges)
    }

    /// A random graph of 1...maxNodes nodes in one of several shapes: uniform sparse,
    /// dense, chain with back/forward edges, tree with extra edges. Adds self-loops and
    /// duplicate edges at random; the root is random, so parts are often unreachable.
    static func random(_ rng: inout SplitMix64, maxNodes: Int) -> TestGraph {
        let n = 1 + rng.below(maxNodes)
        var lists = [[UInt32]](repeating: [], count: n)
        func add(_ a: Int, _ b: Int) { lists[a].append(UInt32(b)) }
        switch rng.below(5) {
        case 0:  // uniform sparse
            let degrees: [Double] = [0.3, 0.8, 1.2, 1.6, 2.5, 4]
            let m = Int(Double(n) * degrees[rng.below(degrees.count)])
            for _ in 0..<m { add(rng.below(n), rng.below(n)) }
        case 1:  // dense
            let p = [0.05, 0.15, 0.4][rng.below(3)]
            for a in 0..<n { for b in 0..<n where rng.chance(p) { add(a, b) } }
        case 2:  // chain, some back edges, some forward skips
            for a in 0..<(n - 1) where !rng.chance(0.05) { add(a, a + 1) }
            for _ in 0..<(n / 3) { add(rng.below(n), rng.below(n)) }
        case 3:  // random tree plus extra edges
            for b in 1..<max(n, 1) where !rng.chance(0.03) { add(rng.below(b), b) }
            for _ in 0..<rng.below(n / 2 + 1) { add(rng.below(n), rng.below(n)) }
        default:  // clusters: a few dense-ish groups joined by few edges
            let groups = 1 + rng.below(4)
            for a in 0..<n {
                for _ in 0..<rng.below(3) {
                    let b = (a / groups) * groups + rng.below(groups)
                    if b < n { add(a, b) }
                }
                if rng.chance(0.1) { add(a, rng.below(n)) }
            }
        }
        for a in 0..<n where rng.chance(0.05) { add(a, a) }  // self-loops
        for a in 0..<n where !lists[a].isEmpty && rng.chance(0.05) {  // duplicates
            lists[a].append(lists[a][rng.below(lists[a].count)])
        }
        for a in 0..<n where lists[a].count > 1 && rng.chance(0.2) { lists[a].reverse() }
        let root = rng.chance(0.5) ? 0 : UInt32(rng.below(n))
        return TestGraph(lists: lists, root: root)
    }
}
