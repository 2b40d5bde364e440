import GoDWARF
import GoRuntime
import HeapGraph

/// One step of a path from a root to an object: the root itself or an object, with how its
/// predecessor points at it.
public struct PathStep: Sendable {
    public var address: UInt64?
    public var type: String?
    /// The predecessor's field holding the pointer (".next", "[3]", "keys[2]"), or the root's name.
    public var field: String?
    public var isRoot: Bool
}

extension HeapAnalysis {
    /// Node ids of the shortest path super-root -> root -> ... -> node: a breadth-first search from the
    /// node's owning root (every path passes through it), or from the super-root for shared objects.
    public func shortestPath(to node: UInt32) -> [UInt32]? {
        let owner = graph.isObject(node) ? owners[Int(node)] : .max
        if graph.rootIndex(ofNode: owner) != nil, let p = shortestPath(from: owner, to: node) { return [graph.superRoot] + p }
        return shortestPath(from: graph.superRoot, to: node)
    }

    /// A shortest path `from` -> ... -> `to` by breadth-first search, stopping when `to` is reached.
    /// Uses one parent array for the whole analysis, reset after each search (only what was touched).
    public func shortestPath(from: UInt32, to: UInt32) -> [UInt32]? {
        shortestPath(from: from, toFirst: { $0 == to })
    }

    /// A shortest path `from` -> ... -> the first node (in breadth-first order) that `isTarget` accepts.
    /// `isTarget` may itself search (naming a goroutine's variable can): a nested search keeps its
    /// parents in a dictionary of its own instead of the shared array.
    public func shortestPath(from: UInt32, toFirst isTarget: (UInt32) -> Bool) -> [UInt32]? {
        let g = graph.graph
        if searchActive {
            var parents: [UInt32: UInt32] = [from: from]
            return breadthFirst(g, from: from, isTarget: isTarget,
                                parent: { parents[$0] }, setParent: { parents[$0] = $1 }, reset: { _ in })
        }
        searchActive = true
        defer { searchActive = false }
        if searchParents.count != g.nodeCount { searchParents = [UInt32](repeating: .max, count: g.nodeCount) }
        searchParents[Int(from)] = from
        return breadthFirst(g, from: from, isTarget: isTarget,
                            parent: { let p = self.searchParents[Int($0)]; return p == .max ? nil : p },
                            setParent: { self.searchParents[Int($0)] = $1 },
                            reset: { self.searchParents[Int($0)] = .max })
    }

    /// Breadth-first search over `g` with the parents kept by the caller; every node given a parent
    /// is queued, so calling `reset` on the queue clears them all.
    private func breadthFirst(_ g: CSRGraph, from: UInt32, isTarget: (UInt32) -> Bool,
                              parent: (UInt32) -> UInt32?, setParent: (UInt32, UInt32) -> Void,
                              reset: (UInt32) -> Void) -> [UInt32]? {
        var queue: [UInt32] = [from]
        var head = 0
        // Targets are tested when first seen: the first seen is on the shallowest level, and a node
        // with a million successors is not queued whole before its first target is looked at.
        var found: UInt32? = isTarget(from) ? from : nil
        search: while found == nil, head < queue.count {
            let x = queue[head]
            head += 1
            for y in g.edges[g.edgeRange(of: x)] where parent(y) == nil {
                setParent(y, x)
                queue.append(y)
                if isTarget(y) { found = y; break search }
            }
        }
        var path: [UInt32] = []
        if let to = found {
            var x = to
            path.append(x)
            while x != from {
                x = parent(x)!
                path.append(x)
            }
        }
        for q in queue { reset(q) }
        return found != nil ? path.reversed() : nil
    }

    /// Paths longer than this keep their first and last steps around one step saying how many were
    /// left out (a linked list a million long is still one readable path).
    public static let maxPathSteps = 24

    /// The path as named steps (the super-root left out).
    public func describePath(_ allNodes: [UInt32]) -> [PathStep] {
        let keep = HeapAnalysis.maxPathSteps / 2
        guard allNodes.count > HeapAnalysis.maxPathSteps + 1 else { return describeSteps(allNodes, after: nil) }
        let head = Array(allNodes.prefix(keep))
        let tailStart = allNodes.count - keep
        let elided = tailStart - keep
        return describeSteps(head, after: nil)
            + [PathStep(address: nil, type: nil, field: "... \(elided) more steps", isRoot: false)]
            + describeSteps(Array(allNodes[tailStart...]), after: allNodes[tailStart - 1])
    }

    /// Steps for consecutive path nodes; `after` is the node before the first one, for its field.
    func describeSteps(_ nodes: [UInt32], after: UInt32?) -> [PathStep] {
        var steps: [PathStep] = []
        var previous: UInt32? = after
        for (k, n) in nodes.enumerated() where n != graph.superRoot {
            if let r = graph.rootIndex(ofNode: n) {
                let root = graph.roots[r]
                var name = root.name
                if !root.labels.isEmpty, k + 1 < nodes.count, let label = stackLabel(forObject: nodes[k + 1], root: r) {
                    name = "goroutine \(root.goroutine ?? 0) \(label.description)"
                }
                steps.append(PathStep(address: root.address, type: root.type.map { heap.types[$0].name },
                                      field: name, isRoot: true))
            } else {
                let id = n
                let ref = HeapTypeRef(raw: heap.objectTypes[Int(id)])
                var field: String?
                if let p = previous { field = pointerField(from: p, to: id) }
                steps.append(PathStep(address: heap.address(ofObject: id), type: heap.typeName(ref) == "<unknown>" ? unknownName(id) : heap.typeName(ref),
                                      field: field, isRoot: false))
            }
            previous = n
        }
        return steps
    }

    func unknownName(_ id: UInt32) -> String {
        let span = heap.spans.spans[heap.spans.span(ofObject: id)]
        return span.isLarge ? "<unknown large>" : "<unknown \(span.elemSize) B slot>"
    }

    /// How node `from` points at object `to`: a field of the predecessor object, or a root's variable part.
    func pointerField(from: UInt32, to: UInt32) -> String? {
        let target = heap.spans
        if let r = graph.rootIndex(ofNode: from) {
            let root = graph.roots[r]
            for (i, v) in root.values.enumerated() where target.objectID(containing: v) == to {
                if let base = root.address, let type = root.type, i < root.slots.count, root.slots[i] >= base {
                    let p = FieldNames.path(in: heap.types, type: type, offset: root.slots[i] - base)
                    return p.isEmpty ? nil : p
                }
                return nil
            }
            return nil
        }
        let s = target.span(ofObject: from)
        let span = target.spans[s]
        let slot = target.slot(ofObject: from, span: s)
        var found: UInt64?
        heap.forEachPointer(span: s, slot: slot) { offset, value in
            if found == nil, target.objectID(containing: value) == to { found = offset }
        }
        guard let offset = found else { return nil }
        let ref = HeapTypeRef(raw: heap.objectTypes[Int(from)])
        let dataOffset = heap.address(ofObject: from) - (span.base + UInt64(slot) * span.elemSize)
        return FieldNames.objectField(types: heap.types, ref: ref, dataOffset: dataOffset, slotOffset: offset)
            ?? "+0x\(String(offset - dataOffset, radix: 16))"
    }
}
