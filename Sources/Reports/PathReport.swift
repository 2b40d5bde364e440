import Analysis

/// Renders `coreview path`.
public enum PathReport {
    public static func json(_ p: PathQuery) -> JSON {
        var fields: [(String, JSON)] = [
            ("address", .address(p.address)),
            ("object", .object([("address", .address(p.objectAddress)), ("type", .string(p.objectType)),
                                ("size", .uint(p.objectSize))])),
            ("retainedBytes", .uint(p.retainedBytes)),
        ]
        switch p.outcome {
        case let .reachable(steps):
            fields.append(("reachable", .bool(true)))
            fields.append(("owner", p.owner.map { .string($0) } ?? .string("shared")))
            fields.append(("path", .array(steps.map(RetainersReport.stepJSON))))
        case .unreachable:
            fields.append(("reachable", .bool(false)))
            fields.append(("owner", .null))
            fields.append(("path", .array([])))
        }
        return .object(fields)
    }

    public static func text(_ p: PathQuery) -> String {
        var out = "\(hex(p.address)) is in \(p.objectType) @\(hex(p.objectAddress)) (\(humanBytes(p.objectSize)), retains \(humanBytes(p.retainedBytes)))\n"
        switch p.outcome {
        case let .reachable(steps):
            out += "owned by: \(p.owner ?? "shared (no single root dominates it)")\n\n"
            out += RetainersReport.pathText(steps, indent: "")
        case .unreachable:
            out += "unreachable: no root reaches it; it is garbage the collector has not swept yet\n"
        }
        return out
    }
}
