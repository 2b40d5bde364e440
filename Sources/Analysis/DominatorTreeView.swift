import CoreFile
import GoRuntime
import HeapGraph

/// The dominator tree as exporters walk it: children by retained size, and a description of each node.
public struct DominatorTreeView {
    public struct Node: Sendable {
        public var kind: String      // heap, global, stack, finalizer, runtime, object
        public var name: String      // root name, or type name for objects
        public var type: String?
        public var address: UInt64?
        public var retainedBytes: UInt64
        public var retainedObjects: Int
    }

    public let analysis: HeapAnalysis
    public let start: UInt32
    /// The analysis's per-node arrays, held here so the walk reads them without going through
    /// the analysis's lazy properties for every node.
    private let retainedBytes: [UInt64]
    private let subtreeSize: [UInt32]
    private let children: CSRGraph

    /// `root`: nil for the whole heap (the super-root), else a root's name ("main.cache",
    /// "goroutine 18 main.worker (var sessions)") or an address inside a heap object.
    public init(analysis: HeapAnalysis, root: String?) throws {
        self.analysis = analysis
        let graph = analysis.graph
        retainedBytes = analysis.retainedBytes
        subtreeSize = analysis.dominators.subtreeSize
        children = analysis.dominatorChildren
        guard let root else {
            start = graph.superRoot
            return
        }
        if let r = graph.roots.firstIndex(where: { $0.name == root }) {
            start = graph.node(ofRoot: r)
        } else if let address = DominatorTreeView.parseAddress(root), let id = analysis.heap.objectID(containing: address) {
            guard analysis.dominators.isReachable(id) else {
                throw CoreviewError.queryNotFound("the object at \(root) is unreachable (garbage): it has no dominator tree")
            }
            start = id
        } else {
            let matches = graph.roots.filter { $0.name.hasPrefix(root) || $0.name.hasSuffix(root) }.map(\.name)
            let hint = matches.isEmpty ? "see `coreview top` for root names" : "did you mean \(matches.prefix(3).joined(separator: ", "))?"
            throw CoreviewError.queryNotFound("no root or heap object named \(root); \(hint)")
        }
    }

    static func parseAddress(_ s: String) -> UInt64? {
        let t = s.lowercased()
        return t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : nil
    }

    /// The node's dominator-tree children, largest retained size first.
    public func children(of n: UInt32) -> [UInt32] {
        let retained = retainedBytes
        return children.edges[children.edgeRange(of: n)].sorted { (retained[Int($0)], $1) > (retained[Int($1)], $0) }
    }

    public func describe(_ n: UInt32) -> Node {
        let a = analysis
        let retained = retainedBytes[Int(n)]
        let graph = a.graph
        let subtree = Int(subtreeSize[Int(n)])
        if n == graph.superRoot {
            let rootsBelow = graph.roots.indices.filter { a.dominators.isReachable(graph.node(ofRoot: $0)) }.count
            return Node(kind: "heap", name: "all roots", type: nil, address: nil, retainedBytes: retained,
                        retainedObjects: subtree - 1 - rootsBelow)
        }
        if let r = graph.rootIndex(ofNode: n) {
            let root = graph.roots[r]
            return Node(kind: root.kind.rawValue, name: root.name, type: root.type.map { a.heap.types[$0].name },
                        address: root.address, retainedBytes: retained, retainedObjects: subtree - 1)
        }
        let type = a.objectTypeName(n)
        return Node(kind: "object", name: type, type: type, address: a.heap.address(ofObject: n),
                    retainedBytes: retained, retainedObjects: subtree)
    }

    public func retained(_ n: UInt32) -> UInt64 { retainedBytes[Int(n)] }


    /// A run of nodes below `n` that each dominate exactly one node (a linked list): its length and the
    /// node it ends at, when at least `minimum` long; and the types along it (the first few distinct).
    public func chain(below n: UInt32, minimum: Int) -> (length: Int, end: UInt32, types: [String])? {
        let c = children
        var x = n
        var length = 0
        var types: [String] = []
        while true {
            let r = c.edgeRange(of: x)
            guard r.count == 1 else { break }
            x = c.edges[r.lowerBound]
            length += 1
            if types.count < 3, analysis.graph.isObject(x) {
                let t = analysis.objectTypeName(x)
                if !types.contains(t) { types.append(t) }
            }
        }
        return length >= minimum ? (length, x, types) : nil
    }
    public func ownSize(_ n: UInt32) -> UInt64 { analysis.nodeSizes[n] }
    public func isObject(_ n: UInt32) -> Bool { analysis.graph.isObject(n) }
}
