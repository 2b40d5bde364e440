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

    public init(process: DumpedProcess) throws {
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
        let g = ObjectGraph(heap: heap, roots: roots)
        StageTimer.mark("object graph (\(g.graph.edgeCount) edges)")
        return g
    }()
    public private(set) lazy var dominators: DominatorTree = {
        let d = DominatorTree(graph: graph.graph, root: graph.superRoot)
        StageTimer.mark("dominator tree")
        return d
    }()
    public private(set) lazy var nodeSizes = graph.nodeSizes()
    public private(set) lazy var retainedBytes = dominators.retainedSizes(nodeSizes: nodeSizes)
    public private(set) lazy var retainedObjects: [UInt32] = dominators.retainedCounts()
    public private(set) lazy var dominatorChildren = dominators.children()
    public private(set) lazy var preorderNodes = dominators.nodesInPreorder()
    public private(set) lazy var reverseGraph = graph.graph.reversed()
    public private(set) lazy var shortestPaths = ShortestPathTree(graph: graph.graph, root: graph.superRoot)

    /// For every reachable object node, the node right below the root on its shortest path from the
    /// super-root (the object a root's word points at, through which the root reaches it).
    public private(set) lazy var hopsBelowRoot: [UInt32] = {
        let parent = shortestPaths.parent
        var hop = [UInt32](repeating: .max, count: parent.count)
        var chain: [UInt32] = []
        for start in 0..<UInt32(parent.count) where graph.isObject(start) && parent[Int(start)] != .max {
            var n = start
            chain.removeAll(keepingCapacity: true)
            // Climb until a node whose hop is known or whose parent is a root.
            while hop[Int(n)] == .max {
                let p = parent[Int(n)]
                if p == .max { break }
                if !graph.isObject(p) { hop[Int(n)] = n; break }
                chain.append(n)
                n = p
            }
            let h = hop[Int(n)]
            for c in chain { hop[Int(c)] = h }
        }
        return hop
    }()

    /// For an object a goroutine owns: which of the goroutine's words (function and variable) reaches it
    /// first on its shortest path.
    public func stackLabel(forObject n: UInt32, root r: Int) -> SlotLabel? {
        let root = graph.roots[r]
        guard !root.labels.isEmpty else { return nil }
        let hop = graph.isObject(n) ? hopsBelowRoot[Int(n)] : .max
        if hop != .max {
            for (i, v) in root.values.enumerated() where heap.objectID(containing: v) == hop { return root.labels[i] }
        }
        return root.labels.first
    }

    /// For every node, the root node that dominates it (itself for roots), or nil (UInt32.max) when only
    /// the super-root does: the object is shared by several roots.
    public private(set) lazy var owners: [UInt32] = {
        var owner = [UInt32](repeating: .max, count: graph.graph.nodeCount)
        let idom = dominators.idom
        for n in dominators.nodesInPreorder() {
            if graph.rootIndex(ofNode: n) != nil { owner[Int(n)] = n }
            else if n != graph.superRoot, idom[Int(n)] != .max { owner[Int(n)] = owner[Int(idom[Int(n)])] }
        }
        return owner
    }()

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


