import Analysis

/// Renders `coreview goroutines`.
public enum GoroutinesReport {
    public static func json(_ l: GoroutineList) -> JSON {
        .object([("goroutines", .array(l.goroutines.map { g in
            .object([("id", .uint(g.id)), ("status", .string(g.status)), ("waitReason", .optional(g.waitReason)),
                     ("createdBy", .optional(g.createdBy)), ("retainedBytes", .uint(g.retainedBytes)),
                     ("liveHeapPointers", .int(Int64(g.liveHeapPointers))),
                     ("frames", .array(g.frames.map { f in
                         .object([("function", .string(f.function)), ("file", .string(f.file)), ("line", .int(Int64(f.line))),
                                  ("inlined", .bool(f.inlined))])
                     })),
                     ("problem", .optional(g.problem))])
        }))])
    }

    public static func text(_ l: GoroutineList) -> String {
        var out = ""
        var table = TextTable(headers: ["id", "status", "retains", "function", "created by"], rightAligned: [0, 2])
        for g in l.goroutines {
            let status = g.waitReason.map { "\(g.status) (\($0))" } ?? g.status
            let top = g.frames.first { !$0.function.hasPrefix("runtime.") } ?? g.frames.first
            table.add([String(g.id), status, humanBytes(g.retainedBytes), top?.function ?? "?",
                       g.createdBy.map { $0.split(separator: " ").first.map(String.init) ?? $0 } ?? ""])
        }
        out += table.rendered()
        for g in l.goroutines {
            out += "\ngoroutine \(g.id) [\(g.status)\(g.waitReason.map { ", \($0)" } ?? "")], retains \(humanBytes(g.retainedBytes)):\n"
            for f in g.frames {
                out += "  \(f.function)\(f.inlined ? " (inlined)" : "")\n      \(f.file):\(f.line)\n"
            }
            if let c = g.createdBy { out += "  created by \(c)\n" }
            if let p = g.problem { out += "  (stack walk stopped: \(p))\n" }
        }
        return out
    }
}
