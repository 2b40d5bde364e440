import GoRuntime

/// `goroutines`: every live goroutine with its state, creator, source frames, and the heap its stack
/// roots retain.
public struct GoroutineList: Sendable {
    public struct Frame: Sendable {
        public var function: String
        public var file: String
        public var line: Int
        public var inlined: Bool
    }

    public struct Goroutine: Sendable {
        public var id: UInt64
        public var status: String
        public var waitReason: String?
        public var createdBy: String?
        public var frames: [Frame]
        /// Bytes retained by this goroutine's stack roots (what its frames alone keep alive).
        public var retainedBytes: UInt64
        /// Heap pointers live on its stack.
        public var liveHeapPointers: Int
        public var problem: String?
    }

    public var goroutines: [Goroutine]

    public init(analysis a: HeapAnalysis) {
        guard let stacks = a.stacks else {
            goroutines = []
            return
        }
        var retainedByGoroutine: [UInt64: UInt64] = [:]
        for (i, root) in a.graph.roots.enumerated() {
            guard let g = root.goroutine else { continue }
            retainedByGoroutine[g, default: 0] += a.retainedBytes[Int(a.graph.node(ofRoot: i))]
        }
        let version = a.go.version
        goroutines = stacks.goroutines.map { g in
            var frames: [Frame] = []
            for f in g.frames {
                for s in stacks.functions.sourceFrames(f.function, pc: f.symbolPC, version: version) {
                    frames.append(Frame(function: s.function, file: s.file, line: s.line, inlined: s.inlined))
                }
            }
            let creator = g.info.creatorPC == 0 ? nil : stacks.functions.function(at: g.info.creatorPC).map { f in
                let loc = stacks.functions.fileLine(f, pc: g.info.creatorPC - 1).map { " at \($0.file):\($0.line)" } ?? ""
                return f.name + loc
            }
            let live = g.slots.filter { a.heap.objectID(containing: $0.value) != nil }.count
            return Goroutine(id: g.info.id, status: g.info.statusName, waitReason: stacks.waitReason(g.info),
                             createdBy: creator, frames: frames, retainedBytes: retainedByGoroutine[g.info.id] ?? 0,
                             liveHeapPointers: live, problem: g.problem)
        }.sorted { $0.id < $1.id }
    }
}
