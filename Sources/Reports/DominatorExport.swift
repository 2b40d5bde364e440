import Analysis

/// Writes the dominator tree as indented text, nested JSON, Graphviz DOT or a pprof profile.
/// Text, JSON and DOT stream their output through `write` (no whole-tree string is built); every walk
/// is iterative.
public struct DominatorExport {
    public let view: DominatorTreeView
    /// Levels below the start node to show (nil: all).
    public let depth: Int?
    /// Children retaining less than this are folded into one "... N more" line.
    public let minBytes: UInt64

    public init(view: DominatorTreeView, depth: Int?, minBytes: UInt64) {
        self.view = view
        self.depth = depth
        self.minBytes = minBytes
    }

    /// Runs of at least this many nodes that each dominate only the next are shown as one line.
    static let chainMinimum = 4
    /// Text indentation stops growing at this depth; deeper lines carry their depth instead.
    static let maxIndent = 64

    /// A node's children split into those shown and those folded (count, bytes).
    func split(_ n: UInt32, level: Int) -> (shown: [UInt32], folded: Int, foldedBytes: UInt64) {
        if let depth, level >= depth {
            let all = view.children(of: n)
            return ([], all.count, all.reduce(0) { $0 + view.retained($1) })
        }
        var shown: [UInt32] = []
        var folded = 0
        var bytes: UInt64 = 0
        for c in view.children(of: n) {
            if view.retained(c) >= minBytes { shown.append(c) } else { folded += 1; bytes += view.retained(c) }
        }
        return (shown, folded, bytes)
    }

    // MARK: Text

    public func text(to out: inout OutputBuffer) {
        enum Item { case node(UInt32, Int), fold(Int, Int, UInt64), chain(Int, Int, [String]) }
        var work: [Item] = [.node(view.start, 0)]
        func indent(_ level: Int) {
            out.spaces(2 * Swift.min(level, DominatorExport.maxIndent))
            if level > DominatorExport.maxIndent {
                out.append("[depth ")
                out.append(UInt64(level))
                out.append("] ")
            }
        }
        while let item = work.popLast() {
            switch item {
            case let .fold(level, count, bytes):
                indent(level)
                out.append("... ")
                out.append(UInt64(count), grouped: true)
                out.append(" more (")
                out.appendHumanBytes(bytes)
                out.append(")\n")
            case let .chain(level, length, types):
                indent(level)
                out.append("... a chain of ")
                out.append(UInt64(length), grouped: true)
                out.append(" objects (\(types.joined(separator: ", "))), each dominating the next, down to:\n")
            case let .node(n, level):
                // The indentation is the tree: the line starts with the retained size.
                let d = view.describe(n)
                indent(level)
                out.appendHumanBytes(d.retainedBytes)
                out.append("  ")
                out.append(UInt64(d.retainedObjects), grouped: true)
                out.append("  ")
                switch d.kind {
                case "object":
                    out.append("object ")
                    out.append(d.name)
                    out.append(" @0x")
                    out.appendHex(d.address ?? 0)
                case "heap":
                    out.append("heap (all roots)")
                default:
                    out.append(d.kind)
                    out.append(byte: 0x20)
                    out.append(d.name)
                }
                out.append(byte: 0x0A)
                // A long single-child run below: one line, then its last node at the next level.
                if depth.map({ level < $0 }) ?? true, let run = view.chain(below: n, minimum: DominatorExport.chainMinimum) {
                    if view.retained(run.end) >= minBytes {
                        work.append(.node(run.end, level + 1))
                    } else {
                        work.append(.fold(level + 1, 1, view.retained(run.end)))
                    }
                    work.append(.chain(level + 1, run.length - 1, run.types))
                    continue
                }
                let (shown, folded, bytes) = split(n, level: level)
                if folded > 0 { work.append(.fold(level + 1, folded, bytes)) }
                for c in shown.reversed() { work.append(.node(c, level + 1)) }
            }
        }
        out.flush()
    }

    // MARK: JSON

    public func json(write: (String) -> Void) {
        enum Step { case open(UInt32, level: Int, last: Bool), close(level: Int, last: Bool) }
        var work: [Step] = [.open(view.start, level: 0, last: true)]
        while let step = work.popLast() {
            switch step {
            case let .open(n, level, last):
                let d = view.describe(n)
                var fields: [(String, JSON)] = [("name", .string(d.name)), ("kind", .string(d.kind)),
                                                ("type", .optional(d.type)),
                                                ("address", d.address.map { .address($0) } ?? .null),
                                                ("retainedBytes", .uint(d.retainedBytes)),
                                                ("retainedObjects", .int(Int64(d.retainedObjects)))]
                var (shown, folded, bytes) = split(n, level: level)
                if depth.map({ level < $0 }) ?? true, let run = view.chain(below: n, minimum: DominatorExport.chainMinimum) {
                    // A long single-child run: summarised, and its last node becomes the child.
                    fields.append(("chain", .object([("count", .int(Int64(run.length - 1))),
                                                     ("types", .array(run.types.map { .string($0) }))])))
                    let endShown = view.retained(run.end) >= minBytes
                    shown = endShown ? [run.end] : []
                    folded = endShown ? 0 : 1
                    bytes = endShown ? 0 : view.retained(run.end)
                }
                if folded > 0 {
                    fields.append(("folded", .object([("count", .int(Int64(folded))), ("retainedBytes", .uint(bytes))])))
                }
                var head = String(repeating: "  ", count: level) + "{"
                for (i, (k, v)) in fields.enumerated() {
                    if i > 0 { head += ", " }
                    JSON.appendEscaped(k, to: &head)
                    head += ": "
                    v.write(to: &head, indent: -1)
                }
                if shown.isEmpty {
                    write(head + ", \"children\": []}" + (last ? "" : ",") + "\n")
                } else {
                    write(head + ", \"children\": [\n")
                    work.append(.close(level: level, last: last))
                    for (i, c) in shown.enumerated().reversed() {
                        work.append(.open(c, level: level + 1, last: i == shown.count - 1))
                    }
                }
            case let .close(level, last):
                write(String(repeating: "  ", count: level) + "]}" + (last ? "" : ",") + "\n")
            }
        }
    }

    // MARK: DOT

    public func dot(write: (String) -> Void) {
        write("digraph dominators {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n")
        var work: [(UInt32, Int)] = [(view.start, 0)]
        var foldID = 0
        while let (n, level) = work.popLast() {
            let d = view.describe(n)
            let title = dotEscape(d.kind == "object" ? "\(d.name)\n@\(hex(d.address ?? 0))" : "\(d.kind) \(d.name)")
            write("  n\(n) [label=\"\(title)\\n\(humanBytes(d.retainedBytes)), \(grouped(d.retainedObjects)) objects\"];\n")
            let (shown, folded, bytes) = split(n, level: level)
            for c in shown {
                write("  n\(n) -> n\(c);\n")
                work.append((c, level + 1))
            }
            if folded > 0 {
                foldID += 1
                write("  f\(foldID) [shape=note, label=\"\(grouped(folded)) more\\n\(humanBytes(bytes))\"];\n  n\(n) -> f\(foldID) [style=dashed];\n")
            }
        }
        write("}\n")
    }

    /// Escapes a DOT label: quotes and backslashes, newlines as \n.
    func dotEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: pprof

    /// A pprof profile whose samples are dominator-tree paths: each node is a sample of its own size
    /// with the path from the start node as its stack, so a flame graph's widths are retained bytes.
    /// Nodes below `depth` (default 64) are summed into their ancestor at that depth.
    public func pprof() throws -> [UInt8] {
        var profile = PprofProfile(sampleTypes: [(type: "retained_space", unit: "bytes"), (type: "retained_objects", unit: "count")],
                                   defaultSampleType: "retained_space")
        profile.comments = ["coreview dominator tree: each frame is a root or an object's type; widths are retained sizes"]
        let maxDepth = depth ?? 64
        var path: [UInt64] = []
        var work: [(UInt32, Int)] = [(view.start, 0)]
        while let (n, level) = work.popLast() {
            path.removeSubrange(level...)
            let d = view.describe(n)
            let frame = d.kind == "object" ? d.name : (d.kind == "heap" ? "heap" : "\(d.kind) \(d.name)")
            path.append(profile.location(named: frame))
            if level >= maxDepth {
                // Everything below is folded into this node.
                if d.retainedBytes > 0 {
                    profile.addSample(stack: path.reversed(), values: [Int64(d.retainedBytes), Int64(d.retainedObjects)])
                }
                continue
            }
            let own = view.ownSize(n)
            if own > 0 {
                profile.addSample(stack: path.reversed(), values: [Int64(own), view.isObject(n) ? 1 : 0])
            }
            for c in view.children(of: n).reversed() where view.retained(c) > 0 { work.append((c, level + 1)) }
        }
        return try profile.gzipped()
    }
}
