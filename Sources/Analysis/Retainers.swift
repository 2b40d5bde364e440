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
        // Which type references occur, marked in a flat array over (type id, array flag).
        var seen = [Bool](repeating: false, count: heap.types.count * 2 + 2)
        for raw in heap.objectTypes where raw != HeapTypeRef.unknown.raw {
            seen[Int(raw & 0x7fff_ffff) * 2 + (raw & 0x8000_0000 != 0 ? 1 : 0)] = true
        }
        for (i, s) in seen.enumerated() where s {
            let raw = HeapTypeRef(type: TypeID(i / 2), array: i % 2 == 1).raw
            let n = heap.typeName(HeapTypeRef(raw: raw))
            refNames[raw] = n
            present.insert(n)
        }
        // Tiny values (millions of short strings, often): their types, each looked at once.
        var tinyTypes = [Bool](repeating: false, count: heap.types.count)
        for v in a.typing.tinyValues where Int(v.type) < tinyTypes.count { tinyTypes[Int(v.type)] = true }
        for (t, used) in tinyTypes.enumerated() where used { present.insert(heap.types[TypeID(t)].name) }
        let name = try TypeQuery.resolve(query, among: present)
        type = name
        StageTimer.mark("retainers: type names")

        var wanted = [Bool](repeating: false, count: seen.count + 1)
        for (raw, n) in refNames where n == name { wanted[Int(raw & 0x7fff_ffff) * 2 + (raw & 0x8000_0000 != 0 ? 1 : 0)] = true }
        // Tiny values count one each inside their block.
        var tinyCounts: [UInt32: Int] = [:]
        var seenTiny = Set<UInt64>()
        let tinyWanted = tinyTypes.indices.map { tinyTypes[$0] && heap.types[TypeID($0)].name == name }
        for v in a.typing.tinyValues where Int(v.type) < tinyWanted.count && tinyWanted[Int(v.type)]
            && seenTiny.insert(v.key).inserted {
            tinyCounts[UInt32(v.key >> 4), default: 0] += 1
        }

        let graph = a.graph
        let dom = a.dominators
        let owners = a.owners
        // The shared group's roots and path come from the shared region: built meanwhile.
        a.startSharedRegion()
        StageTimer.mark("retainers: graph, dominators, ownership")
        var byKey: [String: Int] = [:]
        var groups: [Group] = []
        var sharedMembers: [UInt32] = []
        var unreachable = (0, UInt64(0))
        var total = (0, UInt64(0))
        // Per group (same index as `groups`): members to pick the sample path from, and the roots.
        var candidates: [[UInt32]] = []
        var rootsInGroup: [Set<Int>] = []
        var lastRootInGroup: [Int] = []
        // Group of each plain root, and of each (goroutine root, label) pair, found once.
        var groupOfRoot = [Int](repeating: -1, count: graph.roots.count)
        let rootHasLabels = graph.roots.map { !$0.labels.isEmpty }
        var groupOfLabel: [SlotLabel: Int] = [:]
        func group(_ key: String, _ make: () -> Group) -> Int {
            if let g = byKey[key] { return g }
            groups.append(make())
            candidates.append([])
            rootsInGroup.append([])
            lastRootInGroup.append(-1)
            byKey[key] = groups.count - 1
            return groups.count - 1
        }
        var sharedGroup = -1
        func add(_ node: UInt32, bytes: UInt64, count: Int) {
            total.0 += count
            total.1 += bytes
            let owner = owners[Int(node)]
            guard owner != HeapAnalysis.unreachableOwner else {
                unreachable.0 += count
                unreachable.1 += bytes
                return
            }
            let gi: Int
            if owner == .max {
                if sharedGroup < 0 {
                    sharedGroup = group("shared") {
                        Group(kind: "shared", name: "shared", function: nil, variable: nil, goroutines: [], objects: 0,
                              bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                    }
                }
                gi = sharedGroup
                sharedMembers.append(node)
            } else {
                let r = graph.rootIndex(ofNode: owner)!
                if rootHasLabels[r], let label = a.stackLabel(forObject: node, root: r) {
                    let root = graph.roots[r]
                    // Goroutines group by the function and variable through which they hold the object.
                    var keyLabel = label
                    if byGoroutine { keyLabel.variable += "|\(root.goroutine ?? 0)" }
                    if let g = groupOfLabel[keyLabel] { gi = g } else {
                        let name = byGoroutine ? "goroutine \(root.goroutine ?? 0) \(label.description)" : label.description
                        gi = group("\(root.kind)|\(keyLabel.function)|\(keyLabel.variable)") {
                            Group(kind: root.kind.rawValue, name: name, function: label.function, variable: label.variable,
                                  goroutines: [], objects: 0, bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                        }
                        groupOfLabel[keyLabel] = gi
                    }
                } else if groupOfRoot[r] >= 0 {
                    gi = groupOfRoot[r]
                } else {
                    let root = graph.roots[r]
                    gi = group("root|\(r)") {
                        Group(kind: root.kind.rawValue, name: root.name, function: root.function, variable: root.variable,
                              goroutines: [], objects: 0, bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
                    }
                    groupOfRoot[r] = gi
                }
                if lastRootInGroup[gi] != r {
                    rootsInGroup[gi].insert(r)
                    lastRootInGroup[gi] = r
                }
            }
            groups[gi].objects += count
            groups[gi].bytes += bytes
            if candidates[gi].count < Retainers.pathCandidates { candidates[gi].append(node) }
        }
        // One pass over the objects of T in id order.
        let spans = heap.spans
        let types = heap.objectTypes
        func isWanted(_ raw: UInt32) -> Bool {
            raw != HeapTypeRef.unknown.raw && wanted[Int(raw & 0x7fff_ffff) * 2 + (raw & 0x8000_0000 != 0 ? 1 : 0)]
        }
        // Objects a plain root (a global, a finalizer, ...) owns are summed per root in flat arrays;
        // goroutine-owned, shared and garbage objects take `add`.
        let firstRoot = UInt32(graph.objectCount)
        let rootCount = UInt32(graph.roots.count)
        var plainObjects = [Int](repeating: 0, count: graph.roots.count)
        var plainBytes = [UInt64](repeating: 0, count: graph.roots.count)
        var plainCandidates = [[UInt32]](repeating: [], count: graph.roots.count)
        var plainOrder: [Int] = []
        for s in 0..<spans.spans.count {
            let span = spans.spans[s]
            let size = span.accountedSlotSize
            for id in span.firstObject..<(span.firstObject + span.objectCount) {
                let raw = types[Int(id)]
                guard isWanted(raw) else { continue }
                let r = owners[Int(id)] &- firstRoot
                if r < rootCount, !rootHasLabels[Int(r)] {
                    if plainObjects[Int(r)] == 0 { plainOrder.append(Int(r)) }
                    plainObjects[Int(r)] += 1
                    plainBytes[Int(r)] += size
                    if plainCandidates[Int(r)].count < Retainers.pathCandidates { plainCandidates[Int(r)].append(id) }
                    continue
                }
                add(id, bytes: size, count: 1)
            }
        }
        for r in plainOrder {
            let root = graph.roots[r]
            let gi = group("root|\(r)") {
                Group(kind: root.kind.rawValue, name: root.name, function: root.function, variable: root.variable,
                      goroutines: [], objects: 0, bytes: 0, retainedBytes: 0, sharedBy: [], path: [])
            }
            groups[gi].objects += plainObjects[r]
            groups[gi].bytes += plainBytes[r]
            total.0 += plainObjects[r]
            total.1 += plainBytes[r]
            rootsInGroup[gi].insert(r)
            let room = Retainers.pathCandidates - candidates[gi].count
            candidates[gi] += plainCandidates[r].prefix(max(room, 0))
        }
        for (block, n) in tinyCounts { add(block, bytes: UInt64(n) * Swift.max(1, 16 / UInt64(Swift.max(n, 1))), count: n) }
        StageTimer.mark("retainers: grouping")
        let rootRetained = a.retainedBytesOfRoots()
        StageTimer.mark("retainers: retained sizes")
        // Retained bytes and goroutines of each group's roots.
        for (gi, rs) in rootsInGroup.enumerated() where !rs.isEmpty {
            groups[gi].retainedBytes = rs.reduce(0) { $0 + rootRetained[$1] }
            groups[gi].goroutines = Array(Set(rs.compactMap { graph.roots[$0].goroutine })).sorted()
        }
        if let gi = byKey["shared"] {
            let reaching = a.rootsReaching(sharedMembers)
            groups[gi].sharedBy = reaching.map { graph.roots[$0].name }
            groups[gi].retainedBytes = groups[gi].bytes
        }
        StageTimer.mark("retainers: roots sharing")
        for (gi, nodes) in candidates.enumerated() {
            // The member nearest the top of the dominator tree makes the shortest sample path.
            guard let node = Retainers.shallowest(nodes, dominators: dom) else { continue }
            let owner = owners[Int(node)]
            let path: [UInt32]?
            if owner == .max {
                path = a.pathToShared(node) ?? a.shortestPath(to: node)
            } else if let r = graph.rootIndex(ofNode: owner) {
                // From the owning root to its nearest object of T held the same way (or to `node`).
                let label = graph.roots[r].labels.isEmpty ? nil : a.stackLabel(forObject: node, root: r)
                path = a.shortestPath(from: owner, toFirst: { y in
                    if y == node { return true }
                    guard graph.isObject(y), owners[Int(y)] == owner, isWanted(types[Int(y)]) else { return false }
                    return label == nil || a.stackLabel(forObject: y, root: r) == label
                }).map { [graph.superRoot] + $0 }
            } else {
                path = a.shortestPath(to: node)
            }
            if let path { groups[gi].path = a.describePath(path) }
        }
        StageTimer.mark("retainers: sample paths")
        groups.sort { ($0.bytes, $0.objects) > ($1.bytes, $1.objects) }
        self.groups = groups
        objects = total.0
        bytes = total.1
        unreachableObjects = unreachable.0
        unreachableBytes = unreachable.1
    }

    static let pathCandidates = 256

    /// The node with the fewest dominator-tree ancestors (each count stops once it passes the best so far).
    static func shallowest(_ nodes: [UInt32], dominators: DominatorTree) -> UInt32? {
        var best: (UInt32, Int)?
        for n in nodes {
            var depth = 0
            var x = n
            while x != dominators.root, dominators.idom[Int(x)] != .max {
                x = dominators.idom[Int(x)]
                depth += 1
                if let b = best, depth >= b.1 { break }
            }
            if best == nil || depth < best!.1 { best = (n, depth) }
        }
        return best?.0
    }

}
