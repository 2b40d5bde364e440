/// Slow, obviously-correct reference algorithms on plain successor lists, for tests.
/// Stateless; every function returns fresh arrays indexed by node id.
enum Reference {
    /// Nodes reachable from `roots` (BFS), optionally pretending `removed` is absent.
    static func reachable(_ lists: [[UInt32]], from roots: [UInt32], removing removed: Int = -1) -> [Bool] {
        var seen = [Bool](repeating: false, count: lists.count)
        var queue: [Int] = []
        for r in roots where Int(r) != removed && !seen[Int(r)] {
            seen[Int(r)] = true
            queue.append(Int(r))
        }
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            for t in lists[u] where Int(t) != removed && !seen[Int(t)] {
                seen[Int(t)] = true
                queue.append(Int(t))
            }
        }
        return seen
    }

    /// BFS edge distance from `root`, -1 if unreached.
    static func distances(_ lists: [[UInt32]], root: UInt32) -> [Int] {
        var dist = [Int](repeating: -1, count: lists.count)
        dist[Int(root)] = 0
        var queue = [Int(root)]
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            for t in lists[u] where dist[Int(t)] < 0 {
                dist[Int(t)] = dist[u] + 1
                queue.append(Int(t))
            }
        }
        return dist
    }

    /// `m[d * n + v]`: d dominates v, by definition: v is reachable, and unreachable from the
    /// root once d is removed (d == v counts).
    static func dominanceMatrix(_ lists: [[UInt32]], root: UInt32) -> [Bool] {
        let n = lists.count
        let reach = reachable(lists, from: [root])
        var m = [Bool](repeating: false, count: n * n)
        for d in 0..<n where reach[d] {
            let without = reachable(lists, from: [root], removing: d)
            for v in 0..<n where reach[v] && !without[v] { m[d * n + v] = true }
        }
        return m
    }

    /// Immediate dominators from a dominance matrix: the strict dominator of v that has the
    /// most dominators itself.
    static func idomFromMatrix(_ m: [Bool], nodeCount n: Int, root: UInt32) -> [UInt32] {
        var domCount = [Int](repeating: 0, count: n)
        for d in 0..<n { for v in 0..<n where m[d * n + v] { domCount[v] += 1 } }
        var idom = [UInt32](repeating: .max, count: n)
        for v in 0..<n where m[v * n + v] {
            if v == Int(root) { idom[v] = root; continue }
            var best = -1
            for d in 0..<n where d != v && m[d * n + v] && (best < 0 || domCount[d] > domCount[best]) {
                best = d
            }
            idom[v] = UInt32(best)
        }
        return idom
    }

    /// Cooper, Harvey, Kennedy, "A Simple, Fast Dominance Algorithm" (iterative data flow).
    static func chkIdom(_ lists: [[UInt32]], root: UInt32) -> [UInt32] {
        let n = lists.count
        // Postorder by an explicit-stack DFS.
        var post = [Int](repeating: -1, count: n)
        var order: [Int] = []
        var visited = [Bool](repeating: false, count: n)
        var stack: [(Int, Int)] = [(Int(root), 0)]
        visited[Int(root)] = true
        while let (u, i) = stack.last {
            if i < lists[u].count {
                stack[stack.count - 1].1 += 1
                let t = Int(lists[u][i])
                if !visited[t] {
                    visited[t] = true
                    stack.append((t, 0))
                }
            } else {
                post[u] = order.count
                order.append(u)
                stack.removeLast()
            }
        }
        var preds = [[Int]](repeating: [], count: n)
        for u in 0..<n where visited[u] { for t in lists[u] { preds[Int(t)].append(u) } }
        var idom = [Int](repeating: -1, count: n)
        idom[Int(root)] = Int(root)
        var changed = true
        while changed {
            changed = false
            for b in order.reversed() where b != Int(root) {
                var newIdom = -1
                for p in preds[b] where idom[p] >= 0 {
                    if newIdom < 0 { newIdom = p; continue }
                    var f1 = p, f2 = newIdom
                    while f1 != f2 {
                        while post[f1] < post[f2] { f1 = idom[f1] }
                        while post[f2] < post[f1] { f2 = idom[f2] }
                    }
                    newIdom = f1
                }
                if idom[b] != newIdom {
                    idom[b] = newIdom
                    changed = true
                }
            }
        }
        return idom.map { $0 < 0 ? UInt32.max : UInt32($0) }
    }

    /// Retained sizes by walking every node's dominator chain: each node's size is added to
    /// itself and to every dominator above it.
    static func retainedSizes(idom: [UInt32], root: UInt32, sizes: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: idom.count)
        for v in 0..<idom.count where idom[v] != .max {
            var x = v
            while true {
                out[x] += sizes[v]
                if x == Int(root) { break }
                x = Int(idom[x])
            }
        }
        return out
    }
}
