import Analysis

/// Renders `coreview retainers`.
public enum RetainersReport {
    public static func stepJSON(_ s: PathStep) -> JSON {
        .object([("address", s.address.map { .address($0) } ?? .null), ("type", .optional(s.type)),
                 ("field", .optional(s.field))])
    }

    public static func json(_ r: Retainers) -> JSON {
        .object([
            ("type", .string(r.type)),
            ("objects", .int(Int64(r.objects))),
            ("bytes", .uint(r.bytes)),
            ("retainers", .array(r.groups.map { g in
                var fields: [(String, JSON)] = [
                    ("kind", .string(g.kind)), ("name", .string(g.name)),
                    ("function", .optional(g.function)), ("variable", .optional(g.variable)),
                    ("goroutines", .array(g.goroutines.map { .uint($0) })),
                    ("objects", .int(Int64(g.objects))), ("bytes", .uint(g.bytes)),
                    ("retainedBytes", .uint(g.retainedBytes)),
                    ("path", .array(g.path.map(stepJSON))),
                ]
                if g.kind == "shared" { fields.append(("sharedBy", .array(g.sharedBy.map { .string($0) }))) }
                return .object(fields)
            })),
            ("unreachable", .object([("objects", .int(Int64(r.unreachableObjects))), ("bytes", .uint(r.unreachableBytes))])),
        ])
    }

    public static func pathText(_ path: [PathStep], indent: String) -> String {
        var lines: [String] = []
        for s in path {
            if s.isRoot {
                lines.append(indent + (s.field ?? "root"))
            } else {
                var line = indent + "-> "
                if let f = s.field { line += "\(f) -> " }
                line += s.type ?? "?"
                if let a = s.address { line += " @\(hex(a))" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func text(_ r: Retainers) -> String {
        var out = "\(grouped(r.objects)) objects of \(r.type), \(humanBytes(r.bytes))\n\n"
        var table = TextTable(headers: ["kind", "objects", "bytes", "retains", "root"], rightAligned: [1, 2, 3])
        for g in r.groups {
            var name = g.name
            if !g.goroutines.isEmpty {
                let ids = g.goroutines.prefix(8).map(String.init).joined(separator: ", ")
                name += " in \(g.goroutines.count) goroutine\(g.goroutines.count == 1 ? "" : "s") (\(ids)\(g.goroutines.count > 8 ? ", …" : ""))"
            }
            table.add([g.kind, grouped(g.objects), humanBytes(g.bytes), humanBytes(g.retainedBytes), name])
        }
        if r.unreachableObjects > 0 {
            table.add(["garbage", grouped(r.unreachableObjects), humanBytes(r.unreachableBytes), "-", "unreachable, not yet swept"])
        }
        out += table.rendered()
        for g in r.groups where !g.path.isEmpty {
            out += "\n\(g.kind == "shared" ? "shared by \(g.sharedBy.prefix(6).joined(separator: ", "))\(g.sharedBy.count > 6 ? ", …" : "")" : g.name):\n"
            out += pathText(g.path, indent: "  ")
        }
        return out
    }
}
