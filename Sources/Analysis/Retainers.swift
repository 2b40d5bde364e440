import GoDWARF
import GoRuntime
import HeapGraph

/// `retainers --type T`: which roots keep the objects of one type alive. Each reachable object of T is
/// owned by the root that dominates it; objects no single root dominates form the "shared" group;
/// unreachable ones are garbage not yet swept, counted apart.
public struct Retainers: Sendable {
    public struct Group: Sendable {
        public var kind: String          // global, stack, finalizer, runtime, shared
        public var name: String
        public var function: String?
        public var variable: String?
        public var goroutines: [UInt64]
        public var objects: Int
        public var bytes: UInt64
        public var retainedBytes: UInt64
        /// For the shared group: the roots that reach its objects.
        public var sharedBy: [String]
        public var path: [PathStep]
    }

    public var type: String
    public var objects: Int
    public var bytes: UInt64
    public var groups: [Group]
    public var unreachableObjects: Int
    public var unreachableBytes: UInt64

    public init(analysis a: HeapAnalysis, type query: String, byGoroutine: Bool) throws {
        let heap = a.heap
        // Names present: object types and values inside tiny blocks.
        var present = Set<String>()
        var refNames: [UInt32: String] = [:]
        for raw in Set(heap.objectTypes) where raw != HeapTypeRef.unknown.raw {
            let n = heap.typeName(HeapTypeRef(raw: raw))
            refNames[raw] = n
            present.insert(n)
        }
        for v in a.typing.tinyValues { present.insert(heap.types[v.type].name) }
        let name = try TypeQuery.resolve(query, among: present)
        type = name

        // The objects of T, with their accounted bytes; tiny values count one each inside their block.
        var members: [(node: UInt32, bytes: UInt64, count: Int)] = []
        for (id, raw) in heap.objectTypes.enumerated() where raw != HeapTypeRef.unknown.raw && refNames[raw] == name {
            members.append((UInt32(id), heap.size(ofObject: UInt32(id)), 1))
        }
        var tinyCounts: [UInt32: Int] = [:]
        var seenTiny = Set<UInt64>()
        for v in a.typing.tinyValues where heap.types[v.type].name == name && seenTiny.insert(v.key).inserted {
            tinyCounts[UInt32(v.key >> 4), default: 0] += 1
        }
        for (block, n) in tinyCounts { members.append((block, UInt64(n) * max(1, 16 / UInt64(max(n, 1))) , n)) }

        let graph = a.graph
        let owners = a.owners
        let dom = a.dominators
        var byKey: [String: Int] = [:]
        var groups: [Group] = []
        var sharedMembers: [UInt32] = []
        var unreachable = (0, UInt64(0))
        var total = (0, UInt64(0))
        var representative: [Int: UInt32] = [:]
        var rootsInGroup: [Int: Set<Int>] = [:]
        for m in members {
            total.0 += m.count
            total.1 += m.bytes
            guard dom.isReachable(m.node) else {
                unreachable.0 += m.count
                unreachable.1 += m.bytes
                continue
            }
            let owner = owners[Int(m.node)]
            let key: String
            var group: Group
            var rootIndex: Int?
            if owner == .max {
                key = "shared"
                group = Group(kind: "shared", name: "shared", function: nil, variable: nil, goroutines: [], objects: 0,
                              bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                sharedMembers.append(m.node)
            } else {
                let r = graph.rootIndex(ofNode: owner)!
                rootIndex = r
                let root = graph.roots[r]
                if let label = a.stackLabel(forObject: m.node, root: r) {
                    // Goroutines group by the function and variable through which they hold the object.
                    key = "\(root.kind)|\(label.function)|\(label.variable)" + (byGoroutine ? "|\(root.goroutine ?? 0)" : "")
                    let name = byGoroutine ? "goroutine \(root.goroutine ?? 0) \(label.description)" : label.description
                    group = Group(kind: root.kind.rawValue, name: name, function: label.function, variable: label.variable,
                                  goroutines: [], objects: 0, bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                } else {
                    key = "root|\(r)"
                    group = Group(kind: root.kind.rawValue, name: root.name, function: root.function, variable: root.variable,
                                  goroutines: [], objects: 0, bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                }
            }
            let gi: Int
            if let existing = byKey[key] { gi = existing } else {
                groups.append(group)
                gi = groups.count - 1
                byKey[key] = gi
                representative[gi] = m.node
            }
            groups[gi].objects += m.count
            groups[gi].bytes += m.bytes
            if let r = rootIndex { rootsInGroup[gi, default: []].insert(r) }
        }
        // Retained bytes and goroutines of each group's roots.
        for (gi, rs) in rootsInGroup {
            groups[gi].retainedBytes = rs.reduce(0) { $0 + a.retainedBytes[Int(graph.node(ofRoot: $1))] }
            groups[gi].goroutines = Array(Set(rs.compactMap { graph.roots[$0].goroutine })).sorted()
        }
        if let gi = byKey["shared"] {
            let reaching = Retainers.rootsReaching(sharedMembers, analysis: a)
            groups[gi].sharedBy = reaching.map { graph.roots[$0].name }
            groups[gi].retainedBytes = groups[gi].bytes
        }
        for (gi, node) in representative {
            if let p = a.shortestPath(to: node) { groups[gi].path = a.describePath(p) }
        }
        groups.sort { ($0.bytes, $0.objects) > ($1.bytes, $1.objects) }
        self.groups = groups
        objects = total.0
        bytes = total.1
        unreachableObjects = unreachable.0
        unreachableBytes = unreachable.1
    }

    /// Roots from which any of `nodes` is reachable: a backward search over the graph's reverse.
    static func rootsReaching(_ nodes: [UInt32], analysis a: HeapAnalysis) -> [Int] {
        let reverse = a.graph.graph.reversed()
        var seen = NodeSet(count: reverse.nodeCount)
        var stack: [UInt32] = []
        for n in nodes where seen.insert(n) { stack.append(n) }
        var roots: [Int] = []
        while let x = stack.popLast() {
            if let r = a.graph.rootIndex(ofNode: x) { roots.append(r); continue }
            for y in reverse.edges[reverse.edgeRange(of: x)] where seen.insert(y) { stack.append(y) }
        }
        return roots.sorted()
    }
}
