import CoreFile
import GoRuntime

/// `path ADDRESS`: the shortest path from a root to the object containing an address.
public struct PathQuery: Sendable {
    public enum Outcome: Sendable {
        case reachable([PathStep])
        /// Allocated but no root reaches it: garbage the collector has not swept yet.
        case unreachable
    }

    public var address: UInt64
    public var objectAddress: UInt64
    public var objectType: String
    public var objectSize: UInt64
    /// The root that dominates the object, or nil when several roots share it.
    public var owner: String?
    public var retainedBytes: UInt64
    public var outcome: Outcome

    public init(analysis a: HeapAnalysis, address: UInt64) throws {
        let heap = a.heap
        guard let id = heap.objectID(containing: address) else {
            throw CoreviewError.queryNotFound(PathQuery.whereIs(address, analysis: a))
        }
        self.address = address
        objectAddress = heap.address(ofObject: id)
        let ref = HeapTypeRef(raw: heap.objectTypes[Int(id)])
        objectType = ref.isKnown ? heap.typeName(ref) : a.unknownName(id)
        objectSize = heap.size(ofObject: id)
        retainedBytes = a.retainedBytes[Int(id)]
        if a.dominators.isReachable(id), let nodes = a.shortestPath(to: id) {
            outcome = .reachable(a.describePath(nodes))
            let o = a.owners[Int(id)]
            owner = o == .max ? nil : a.graph.rootIndex(ofNode: o).map { a.graph.roots[$0].name }
        } else {
            outcome = .unreachable
            owner = nil
        }
    }

    /// What an address that is not in a heap object is, for the error message.
    static func whereIs(_ address: UInt64, analysis a: HeapAnalysis) -> String {
        let hexAddress = "0x" + String(address, radix: 16)
        if let s = a.heap.spans.spanIndex(of: address) {
            let span = a.heap.spans.spans[s]
            if address >= span.limit { return "\(hexAddress) is past the objects of its heap span (span metadata), not in an object" }
            return "\(hexAddress) is in a free slot of the heap: no object is allocated there"
        }
        if let g = a.go.dwarf.global(containing: address &- a.go.bias) {
            return "\(hexAddress) is not a heap address: it is in the global \(g.name)"
        }
        if let stacks = a.stacks, let g = stacks.goroutines.first(where: { $0.info.stackLow <= address && address < $0.info.stackHigh }) {
            return "\(hexAddress) is not a heap address: it is on the stack of goroutine \(g.info.id)"
        }
        if a.go.memory.region(of: address) == nil { return "\(hexAddress) is not mapped in the process" }
        return "\(hexAddress) is not a heap address"
    }
}
