import Analysis

/// Renders `coreview top`.
public enum TopReport {
    public static func json(_ t: TopRetainers) -> JSON {
        .object([
            ("heapBytes", .uint(t.heapBytes)),
            ("reachableBytes", .uint(t.reachableBytes)),
            ("entries", .array(t.entries.map { e in
                .object([("kind", .string(e.kind)), ("name", .string(e.name)),
                         ("address", e.address.map { .address($0) } ?? .null), ("type", .optional(e.type)),
                         ("retainedBytes", .uint(e.retainedBytes)), ("retainedObjects", .int(Int64(e.retainedObjects))),
                         ("share", .double((Double(e.retainedBytes) / Double(max(t.heapBytes, 1)) * 1000).rounded() / 1000)),
                         ("topType", .optional(e.topType)), ("topTypeBytes", .uint(e.topTypeBytes)),
                         ("owner", .string(e.owner))])
            })),
        ])
    }

    public static func text(_ t: TopRetainers) -> String {
        var table = TextTable(headers: ["retained", "share", "objects", "kind", "what", "mostly", "owner"],
                              rightAligned: [0, 1, 2])
        for e in t.entries {
            let what = e.kind == "object" ? "\(e.name) @\(hex(e.address ?? 0))" : e.name
            let mostly = e.topType.map { "\($0) (\(humanBytes(e.topTypeBytes)))" } ?? ""
            table.add([humanBytes(e.retainedBytes), percent(e.retainedBytes, of: t.heapBytes), grouped(e.retainedObjects),
                       e.kind, what, mostly, e.kind == "object" ? e.owner : ""])
        }
        return "Heap: \(humanBytes(t.heapBytes)), reachable: \(humanBytes(t.reachableBytes))\n\n" + table.rendered()
    }
}
