import GoRuntime

/// Heap totals for `overview`, and the leak suspects: dominator-tree nodes that each retain more than
/// a tenth of the heap (Eclipse MAT's threshold), with the command that digs further.
public struct HeapSummary: Sendable {
    public struct Suspect: Sendable {
        public var entry: TopRetainers.Entry
        public var share: Double
        public var nextCommand: String
    }

    public var spans: Int
    public var objects: Int
    public var bytes: UInt64
    public var inUseBytes: UInt64
    public var knownTypeObjects: Int
    /// Reachable objects, and how many of them have a known type (garbage can only be named by a
    /// type the runtime stored with it; reachable objects also by propagation).
    public var reachableObjects: Int
    public var knownTypeReachableObjects: Int
    public var reachableBytes: UInt64
    public var unreachableObjects: Int
    public var goroutines: Int
    public var roots: Int
    public var suspects: [Suspect]
    public static let suspectThreshold = 0.10

    public init(analysis a: HeapAnalysis, corePath: String, exePath: String?) {
        let totals = a.heap.totals
        spans = totals.spans
        objects = totals.objects
        bytes = totals.bytes
        inUseBytes = totals.inUse
        // Tiny blocks holding typed values count as known, as in the histogram.
        let tinyBlocks = Set(a.typing.tinyValues.map { UInt32($0.key >> 4) })
        var known = 0
        var knownReachable = 0
        var reachable = 0
        let dominators = a.dominators
        for (id, raw) in a.heap.objectTypes.enumerated() {
            let isReachable = dominators.isReachable(UInt32(id))
            if isReachable { reachable += 1 }
            guard raw != HeapTypeRef.unknown.raw || tinyBlocks.contains(UInt32(id)) else { continue }
            known += 1
            if isReachable { knownReachable += 1 }
        }
        knownTypeObjects = known
        knownTypeReachableObjects = knownReachable
        reachableObjects = reachable
        reachableBytes = a.retainedBytes[Int(a.graph.superRoot)]
        unreachableObjects = a.graph.objectCount - reachable
        goroutines = a.stacks?.goroutines.count ?? 0
        roots = a.roots.count
        let top = TopRetainers(analysis: a, count: 10)
        let core = HeapSummary.quote(corePath) + (exePath.map { " --exe " + HeapSummary.quote($0) } ?? "")
        suspects = top.entries.compactMap { e in
            let share = Double(e.retainedBytes) / Double(max(totals.bytes, 1))
            guard share > HeapSummary.suspectThreshold else { return nil }
            // An object: who holds its main type, else how it is reached; a root: its subtree.
            let command: String
            if e.kind == "object", let t = e.topType, !t.hasPrefix("<") {
                command = "coreview retainers \(core) --type \(HeapSummary.quote(t))"
            } else if e.kind == "object", let address = e.address {
                command = "coreview path \(core) 0x\(String(address, radix: 16))"
            } else {
                command = "coreview dominators \(core) --root \(HeapSummary.quote(e.name)) --depth 3"
            }
            return Suspect(entry: e, share: share, nextCommand: command)
        }
    }

    /// Shell-quotes a word if it needs it.
    static func quote(_ s: String) -> String {
        let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "._-/:@+=,".contains($0) }
        return safe ? s : "'" + s.replacingAll("'", "'\\''") + "'"
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
