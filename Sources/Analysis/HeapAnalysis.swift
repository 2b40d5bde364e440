import Dispatch
import CoreFile
import GoDWARF
import GoRuntime
import HeapGraph

/// Everything the heap commands share, computed once and in order: the Go process and its heap, the
/// goroutine stacks, the roots, the object types (propagated from globals and stack variables), and on
/// demand the object graph with its dominator tree and retained sizes.
public final class HeapAnalysis: @unchecked Sendable {
    public let go: GoProcess
    public let heap: GoHeap
    public let stacks: ProcessStacks?
    public let roots: [Root]
    public let typing: TypePropagation
    private var closureTypes: [UInt64: TypeID] = [:]
    /// Display names of object type references, made once each.
    var typeNames: [UInt32: String] = [:]
    /// Per goroutine root: object id -> index of the first word pointing at it.
    private var labelIndexes: [Int: [UInt32: Int]] = [:]
    /// Scratch parents for `shortestPath(from:to:)`, all UInt32.max between searches.
    var searchParents: [UInt32] = []
    /// Whether a search is using `searchParents` (a nested one then keeps its own parents).
    var searchActive = false

    /// The object graph and its dominator tree, built on another thread while types propagate
    /// (when they are wanted).
    private var pendingDominators: Pending<(ObjectGraph, DominatorTree, Ownership)>?
    /// The shared region, when started ahead on another thread (`startSharedRegion`).
    private var pendingRegion: Pending<SharedRegion>?

    /// `buildGraph`: start building the object graph right away, in parallel with type propagation
    /// (commands that need dominators); otherwise it is built on first use.
    /// `sharedRegion`: the command will ask for the shared region (retainers): build it alongside too.
    public init(process: DumpedProcess, buildGraph: Bool = false, sharedRegion: Bool = false) throws {
        do {
            go = try GoProcess(process)
            StageTimer.mark("open core, DWARF, modules")
            heap = try GoHeap(process: go)
            StageTimer.mark("spans and objects (\(heap.objectCount) objects)")
        } catch let e as RuntimeDecodeError {
            throw CoreviewError.corruptRuntime(e.description)
        }
        var stacks: ProcessStacks?
        do { stacks = try ProcessStacks(process: go) } catch {
            go.warn("goroutine stacks could not be read (\(error)); stack roots are missing")
        }
        self.stacks = stacks
        let builder = RootSetBuilder(process: go, heap: heap)
        var roots = builder.globalRoots()
        var stackVariables: [(type: TypeID, address: UInt64?, bytes: [UInt8]?, known: [Bool]?)] = []
        if let stacks {
            for g in stacks.goroutines {
                let (root, variables) = stacks.stackRoot(g)
                if !root.values.isEmpty { roots.append(root) }
                stackVariables += variables
            }
        }
        do { roots += try builder.specialRoots() } catch {
            go.warn("finalizers and cleanups could not be read (\(error))")
        }
        roots += HeapAnalysis.withoutRunningFinalizers(builder.queueRoots(), goroutineRoots: roots, heap: heap)
        roots += builder.tinyBlockRoots()
        self.roots = roots
        StageTimer.mark("goroutines and roots (\(roots.count) roots)")

        if buildGraph {
            // The graph and then its dominator tree are built on another thread while types
            // propagate on this one (they do not depend on types).
            // The finalizers' referents are settled by the dominator tree's search (no search of
            // their own), so the graph is handed out only with its dominators.
            // With `sharedRegion`, the region's scan of the edges starts with the ownership, not
            // after it (it needs the owners only at its end).
            let (heap, allRoots) = (heap, roots)
            let region: Pending<SharedRegion>? = sharedRegion ? Pending() : nil
            pendingRegion = region
            pendingDominators = Pending {
                let g = HeapAnalysis.buildGraph(heap: heap, roots: allRoots, finalizerReach: .byDominators)
                let tree = DominatorTree(graph: g.graph, root: g.superRoot, optional: g.optionalEdges)
                g.settle(taken: tree.optionalTaken)
                StageTimer.background("dominator tree")
                let owned = Pending<Ownership>()
                if let region {
                    DispatchQueue.global(qos: .userInitiated).async {
                        region.fulfill(HeapAnalysis.sharedRegion(graph: g, dominators: tree, ownership: owned.wait))
                        StageTimer.background("shared region")
                    }
                }
                let ownership = HeapAnalysis.ownership(graph: g, dominators: tree, preorder: nil)
                owned.fulfill(ownership)
                StageTimer.background("ownership")
                return (g, tree, ownership)
            }
        }
        typing = TypePropagation(heap: heap)
        if let stacks { installClosureNaming(stacks.functions) }
        typing.propagateFromGlobals()
        for v in stackVariables {
            if let address = v.address {
                typing.propagate(from: address, type: v.type)
            } else if let bytes = v.bytes, let known = v.known {
                typing.propagate(value: bytes, known: known, type: v.type)
            }
        }
        typing.finish()
        StageTimer.mark("type propagation")
    }

    /// A finalizer the finalizer goroutine is running still sits in its queue block until it returns;
    /// the goroutine, not the queue, holds its object.
    static func withoutRunningFinalizers(_ queued: [Root], goroutineRoots: [Root], heap: GoHeap) -> [Root] {
        var running = Set<UInt32>()
        for r in goroutineRoots where r.kind == .finalizer && r.goroutine != nil {
            for v in r.values { if let id = heap.objectID(containing: v) { running.insert(id) } }
        }
        guard !running.isEmpty else { return queued }
        return queued.filter { root in
            !root.values.contains { heap.objectID(containing: $0).map(running.contains) ?? false }
        }
    }

    /// Names closure objects after their function, typing their captured variables from DWARF (Go 1.23+).
    private func installClosureNaming(_ functions: FunctionTable) {
        let dwarf = go.dwarf
        let bias = go.bias
        typing.closureTypeForFunction = { [unowned self] pc in
            if let t = closureTypes[pc] { return t }
            guard let f = functions.function(at: pc) else { return nil }
            var type = GoType(name: "closure " + f.name, kind: .struct, size: 8, dwarfOffset: 0)
            if let info = dwarf.function(containing: pc &- bias) {
                for v in info.variables {
                    guard let off = v.closureOffset, let t = v.type else { continue }
                    let name = v.name.hasPrefix("&") ? String(v.name.dropFirst()) : v.name
                    type.fields.append(GoField(name: name, offset: off, type: t, embedded: false))
                    type.size = max(type.size, off + heap.types[t].size)
                }
            }
            type.fields.sort { $0.offset < $1.offset }
            let id = heap.addType(type)
            closureTypes[pc] = id
            return id
        }
    }

    // MARK: Graph and dominators, built on first use

    public private(set) lazy var graph: ObjectGraph = {
        if let (g, _, _) = pendingDominators?.wait() {
            StageTimer.mark("object graph and dominator tree (built alongside; \(g.graph.edgeCount) edges)")
            return g
        }
        let g = HeapAnalysis.buildGraph(heap: heap, roots: roots)
        StageTimer.mark("object graph (\(g.graph.edgeCount) edges)")
        return g
    }()
    public private(set) lazy var dominators: DominatorTree = {
        let g = graph
        if let (_, d, _) = pendingDominators?.wait() { return d }
        let d = DominatorTree(graph: g.graph, root: g.superRoot)
        StageTimer.mark("dominator tree")
        return d
    }()
    /// Each node's own size (objects' slots; roots nothing).
    public private(set) lazy var nodeSizes = ObjectSizes(heap: heap)
    public var retainedBytes: [UInt64] {
        if let v = cachedRetained { return v }
        var values = nodeSizes.all(nodeCount: graph.graph.nodeCount)
        dominators.accumulateRetained(&values, order: preorderNodes)
        cachedRetained = values
        return values
    }
    private var cachedRetained: [UInt64]?
    private var cachedPreorder: [UInt32]?
    public private(set) lazy var dominatorChildren = dominators.children()
    public var preorderNodes: [UInt32] {
        if let v = cachedPreorder { return v }
        let v = dominators.nodesInPreorder()
        cachedPreorder = v
        return v
    }
    /// For an object a goroutine owns: which of the goroutine's words (function and variable) holds
    /// it: the word pointing into the object's dominator-tree ancestor right below the goroutine.
    public func stackLabel(forObject n: UInt32, root r: Int) -> SlotLabel? {
        let root = graph.roots[r]
        guard !root.labels.isEmpty else { return nil }
        let child = graph.isObject(n) ? ownership.child[Int(n)] : .max
        if child != .max {
            if labelIndexes[r] == nil {
                // Which word of the goroutine first points at each object (named words come first).
                var index: [UInt32: Int] = [:]
                for (i, v) in root.values.enumerated() {
                    if let id = heap.objectID(containing: v), index[id] == nil { index[id] = i }
                }
                labelIndexes[r] = index
            }
            if let i = labelIndexes[r]![child] { return root.labels[i] }
            // Reached only through other objects: the first word on a shortest path to it.
            if let path = shortestPath(from: graph.node(ofRoot: r), to: child), path.count >= 2 {
                if let i = labelIndexes[r]![path[1]] { return root.labels[i] }
            }
        }
        return root.labels.first
    }

    /// The owner of nodes no root reaches.
    public static let unreachableOwner = UInt32.max - 1

    /// For every node: the root node that dominates it (itself for roots; UInt32.max when only the
    /// super-root does: the object is shared by several roots; `unreachableOwner` when nothing reaches
    /// it), and its dominator-tree ancestor right below that root, or right below the super-root for a
    /// shared object (its "top"; UInt32.max for roots and unreachable objects). One pass in dominator
    /// preorder.
    public private(set) lazy var ownership: Ownership = {
        if let (_, _, owned) = pendingDominators?.wait() { return owned }
        return HeapAnalysis.ownership(graph: graph, dominators: dominators, preorder: cachedPreorder)
    }()

    /// Per node: its owning root and its top (see `ownership`).
    public typealias Ownership = (owner: [UInt32], child: [UInt32])

    /// The ownership arrays, in one pass in dominator preorder (`preorder` if given, else made here
    /// and freed after). A dominator subtree is a run of that order, so the super-root's child and
    /// the root's child above each node are known from the runs alone: no lookups of idom. The pass
    /// is split in two at a subtree of the super-root near the middle, one half per core.
    /// `splitAbove`: orders longer than this are split (tests lower it to split small heaps).
    static func ownership(graph: ObjectGraph, dominators: DominatorTree, preorder: [UInt32]?,
                          splitAbove: Int = 1 << 16) -> Ownership {
        let count = graph.graph.nodeCount
        var owner = [UInt32].hugePaged(repeating: HeapAnalysis.unreachableOwner, count: count)
        var child = [UInt32].hugePaged(repeating: .max, count: count)
        let order = preorder ?? dominators.nodesInPreorder()
        let superRoot = graph.superRoot
        let firstRoot = UInt32(graph.objectCount)
        let rootCount = UInt32(graph.roots.count)
        // Where the second half starts: the end of the super-root's subtree holding the middle position
        // (found by climbing from the middle node; a very deep chain there keeps one half).
        var split = order.count
        if order.count > splitAbove {
            var x = order[order.count / 2], steps = 0
            while x != superRoot, dominators.idom[Int(x)] != superRoot, steps < 1 << 16 {
                x = dominators.idom[Int(x)]
                steps += 1
            }
            if x != superRoot, dominators.idom[Int(x)] == superRoot {
                split = Int(dominators.preorder[Int(x)] + dominators.subtreeSize[Int(x)])
            }
        }
        owner.withUnsafeMutableBufferPointer { ownerBuffer in
            child.withUnsafeMutableBufferPointer { childBuffer in
                order.withUnsafeBufferPointer { orderBuffer in
                    dominators.subtreeSize.withUnsafeBufferPointer { sizeBuffer in
                        let owner = UnsafeSendable(ownerBuffer.baseAddress!), child = UnsafeSendable(childBuffer.baseAddress!)
                        let order = UnsafeSendable(orderBuffer.baseAddress!), size = UnsafeSendable(sizeBuffer.baseAddress!)
                        let ranges = [0..<split, split..<orderBuffer.count]
                        DispatchQueue.concurrentPerform(iterations: 2) { half in
                            let (owner, child, order, size) = (owner.pointer, child.pointer, order.pointer, size.pointer)
                            // The super-root's child whose subtree holds the current position (a root,
                            // or a shared top), and below a root, the root's child whose subtree holds it.
                            var top = UInt32.max, topIsRoot = false, topEnd = 0
                            var below = UInt32.max, belowEnd = 0
                            for k in ranges[half] {
                                let n = order[k]
                                if n == superRoot {
                                    owner[Int(n)] = .max
                                } else if k >= topEnd {
                                    top = n
                                    topEnd = k + Int(size[Int(n)])
                                    topIsRoot = n &- firstRoot < rootCount
                                    if topIsRoot {
                                        owner[Int(n)] = n
                                    } else {
                                        owner[Int(n)] = .max
                                        child[Int(n)] = n
                                    }
                                    belowEnd = k + 1
                                } else if topIsRoot {
                                    if k >= belowEnd {
                                        below = n
                                        belowEnd = k + Int(size[Int(n)])
                                    }
                                    owner[Int(n)] = top
                                    child[Int(n)] = below
                                } else {
                                    owner[Int(n)] = .max
                                    child[Int(n)] = top
                                }
                            }
                        }
                    }
                }
            }
        }
        return (owner, child)
    }

    /// Each root's retained bytes (indexed like `graph.roots`), from ownership alone: a root retains
    /// exactly the objects it owns (roots hang off the super-root), so no per-node retained array.
    public func retainedBytesOfRoots() -> [UInt64] {
        if let all = cachedRetained { return graph.roots.indices.map { all[Int(graph.node(ofRoot: $0))] } }
        var sums = [UInt64](repeating: 0, count: graph.roots.count)
        let owner = ownership.owner
        let firstRoot = UInt32(graph.objectCount)
        let rootCount = UInt32(graph.roots.count)
        owner.withUnsafeBufferPointer { owner in
            for span in heap.spans.spans {
                let size = span.accountedSlotSize
                for id in span.firstObject..<(span.firstObject + span.objectCount) {
                    let r = owner[Int(id)] &- firstRoot
                    if r < rootCount { sums[Int(r)] += size }
                }
            }
        }
        return sums
    }

    public var owners: [UInt32] { ownership.owner }

    /// Predecessors of the shared tops (shared objects right below the super-root), built on first use.
    private(set) lazy var sharedRegion: SharedRegion = {
        if let pending = pendingRegion {
            pendingRegion = nil
            let region = pending.wait()
            StageTimer.mark("shared region (built alongside; \(region.edges.count) edges)")
            return region
        }
        let owned = ownership
        let region = HeapAnalysis.sharedRegion(graph: graph, dominators: dominators, ownership: { owned })
        StageTimer.mark("shared region (\(region.edges.count) edges)")
        return region
    }()

    /// Starts building the shared region on another thread (it needs only the graph, the dominators
    /// and the ownership), for a command that will ask for it after other work.
    public func startSharedRegion() {
        guard pendingRegion == nil else { return }
        let (g, d, o) = (graph, dominators, ownership)
        pendingRegion = Pending { HeapAnalysis.sharedRegion(graph: g, dominators: d, ownership: { o }) }
    }

    /// Predecessors of the shared tops (shared objects right below the super-root).
    static func sharedRegion(graph: ObjectGraph, dominators: DominatorTree, ownership: () -> Ownership) -> SharedRegion {
        let idom = dominators.idom
        let superRoot = graph.superRoot
        var tops = NodeSet(count: graph.graph.nodeCount)
        for n in 0..<graph.objectCount where idom[n] == superRoot { tops.insert(UInt32(n)) }
        return SharedRegion(graph: graph.graph, members: tops, ownership: ownership)
    }

    public var warnings: [String] {
        var w = go.warnings + heap.warnings
        let failures = heap.scanFailures
        if !failures.isEmpty {
            w.append("\(failures.count) objects could not be scanned for pointers; first: \(failures[0])")
        }
        let rejected = heap.runtimeTypes.rejected
        if !rejected.isEmpty {
            w.append("\(rejected.count) type descriptors did not decode; first at 0x\(String(rejected[0], radix: 16))")
        }
        return w
    }
}



extension HeapAnalysis {
    /// Scans every object with a scanner of its own and assembles the graph (safe off the main thread).
    static func buildGraph(heap: GoHeap, roots: [Root], finalizerReach: ObjectGraph.FinalizerReach = .search) -> ObjectGraph {
        let scanner = heap.makePointerScanner()
        let edges = ObjectGraph.objectEdges(heap, scanner: scanner, extraNodes: roots.count + 2)
        StageTimer.background("object edges")
        heap.addFailures(scanner.failures)
        let graph = ObjectGraph(heap: heap, roots: roots, objectEdges: edges, finalizerReach: finalizerReach)
        StageTimer.background("object graph with roots")
        return graph
    }
}

/// A value being computed on a background thread; `wait()` blocks until it is there.
final class Pending<Value>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Value?

    init(_ work: @escaping @Sendable () -> Value) {
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = work()
            group.leave()
        }
    }

    /// A value another thread will give with `fulfill` (once).
    init() { group.enter() }

    func fulfill(_ value: Value) {
        result = value
        group.leave()
    }

    func wait() -> Value {
        group.wait()
        return result!
    }
}
