extension CSRGraph {
    /// The nodes reachable from any of `roots` (roots included), by an iterative breadth-first
    /// search. Duplicate roots are fine; every root must be `< nodeCount`.
    ///
    /// Memory: the result (1 bit per node) plus a queue of 4 bytes per reached node.
    public func reachable(from roots: [UInt32]) -> NodeSet {
        let n = nodeCount
        if roots.isEmpty || n == 0 { return NodeSet(count: n) }
        var bits = [UInt64](repeating: 0, count: (n + 63) >> 6)
        var reached = 0
        let queue = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: n)
        defer { queue.deallocate() }
        offsets.withUnsafeBufferPointer { off in
            edges.withUnsafeBufferPointer { ed in
                bits.withUnsafeMutableBufferPointer { b in
                    var tail = 0
                    for r in roots {
                        precondition(Int(r) < n, "reachable(from:): root \(r) out of range")
                        let i = Int(r)
                        let bit: UInt64 = 1 << UInt64(i & 63)
                        if b[i >> 6] & bit == 0 {
                            b[i >> 6] |= bit
                            queue[tail] = r
                            tail += 1
                        }
                    }
                    var head = 0
                    while head < tail {
                        let u = Int(queue[head])
                        head += 1
                        for k in Int(off[u])..<Int(off[u + 1]) {
                            let t = ed[k]
                            let i = Int(t)
                            let bit: UInt64 = 1 << UInt64(i & 63)
                            if b[i >> 6] & bit == 0 {
                                b[i >> 6] |= bit
                                queue[tail] = t
                                tail += 1
                            }
                        }
                    }
                    reached = tail
                }
            }
        }
        return NodeSet(capacity: n, words: bits, count: reached)
    }
}

