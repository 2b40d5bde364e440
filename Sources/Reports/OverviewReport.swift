import Analysis

/// Renders `coreview overview` as text and as JSON.
public enum OverviewReport {
    public static func heapJSON(_ h: HeapSummary) -> [(String, JSON)] {
        [("heap", .object([("spans", .int(Int64(h.spans))), ("objects", .int(Int64(h.objects))),
                           ("bytes", .uint(h.bytes)), ("inUseBytes", .uint(h.inUseBytes)),
                           ("knownTypeObjects", .int(Int64(h.knownTypeObjects))),
                           ("reachableObjects", .int(Int64(h.reachableObjects))),
                           ("knownTypeReachableObjects", .int(Int64(h.knownTypeReachableObjects))),
                           ("reachableBytes", .uint(h.reachableBytes)),
                           ("unreachableObjects", .int(Int64(h.unreachableObjects))),
                           ("goroutines", .int(Int64(h.goroutines))), ("roots", .int(Int64(h.roots)))])),
         ("leakSuspects", .array(h.suspects.map { s in
             .object([("kind", .string(s.entry.kind)), ("name", .string(s.entry.name)),
                      ("address", s.entry.address.map { .address($0) } ?? .null),
                      ("retainedBytes", .uint(s.entry.retainedBytes)),
                      ("share", .double((s.share * 1000).rounded() / 1000)),
                      ("topType", .optional(s.entry.topType)), ("next", .string(s.nextCommand))])
         }))]
    }

    public static func heapText(_ h: HeapSummary) -> String {
        var out = "\nHeap        \(grouped(h.objects)) objects, \(humanBytes(h.bytes)) in \(grouped(h.spans)) spans (\(humanBytes(h.inUseBytes)) in use)\n"
        out += "            type known for \(percent(UInt64(h.knownTypeObjects), of: UInt64(max(h.objects, 1)))) of objects"
        out += " (\(percent(UInt64(h.knownTypeReachableObjects), of: UInt64(max(h.reachableObjects, 1)))) of reachable ones)\n"
        out += "            \(humanBytes(h.reachableBytes)) reachable from \(grouped(h.roots)) roots; \(grouped(h.unreachableObjects)) unreachable objects not yet swept\n"
        out += "Goroutines  \(h.goroutines)\n"
        if h.suspects.isEmpty {
            out += "\nLeak suspects: none (no root or object retains more than 10% of the heap)\n"
        } else {
            out += "\nLeak suspects (each retains more than 10% of the heap):\n"
            for s in h.suspects {
                let what = s.entry.kind == "object" ? "\(s.entry.name) @\(hex(s.entry.address ?? 0))" : "\(s.entry.kind) \(s.entry.name)"
                let mostly = s.entry.topType.map { ", mostly \($0)" } ?? ""
                out += "  \(percent(s.entry.retainedBytes, of: h.bytes)) \(humanBytes(s.entry.retainedBytes)) \(what)\(mostly)\n"
                out += "      next: \(s.nextCommand)\n"
            }
        }
        return out
    }

    public static func json(_ o: Overview, includeMappings: Bool = true) -> JSON {
        var fields: [(String, JSON)] = [
            ("core", .string(o.corePath)),
            ("goVersion", .optional(o.goVersion)),
            ("goVersionSource", .optional(o.goVersionSource)),
            ("executable", .optional(o.executable)),
            ("buildID", .optional(o.buildID)),
            ("buildIDCheck", .string(o.buildIDCheck)),
            ("pid", o.pid.map { .int(Int64($0)) } ?? .null),
            ("processName", .optional(o.processName)),
            ("arguments", .optional(o.arguments)),
            ("signal", .optional(o.signal)),
            ("threads", .array(o.threads.map { t in
                .object([("tid", .int(Int64(t.tid))), ("pc", .address(t.pc)), ("sp", .address(t.sp))])
            })),
            ("mappingCount", .int(Int64(o.mappings.count))),
            ("mappedBytes", .uint(o.mappedBytes)),
            ("inCoreBytes", .uint(o.inCoreBytes)),
        ]
        if includeMappings {
            fields.append(("mappings", .array(o.mappings.map { m in
                .object([("start", .address(m.start)), ("end", .address(m.end)),
                         ("permissions", .string(m.permissions)), ("file", .optional(m.file)),
                         ("offset", m.offset.map { .uint($0) } ?? .null), ("inCore", .uint(m.inCore))])
            })))
        }
        fields.append(("warnings", .array(o.warnings.map { .string($0) })))
        return .object(fields)
    }

    public static func text(_ o: Overview, showMappings: Bool) -> String {
        var rows: [(String, String)] = []
        rows.append(("Core", o.corePath))
        rows.append(("Go version", o.goVersion.map { v in o.goVersionSource.map { "\(v) (from \($0))" } ?? v } ?? "unknown"))
        rows.append(("Executable", o.executable ?? "none"))
        rows.append(("Build ID", (o.buildID ?? "none") + " (\(o.buildIDCheck))"))
        rows.append(("Process", [o.pid.map { "pid \($0)" }, o.processName].compactMap { $0 }.joined(separator: ", ")))
        if let args = o.arguments, !args.isEmpty { rows.append(("Arguments", args)) }
        rows.append(("Signal", o.signal ?? "none recorded"))
        rows.append(("Threads", "\(o.threads.count)"))
        rows.append(("Mappings", "\(o.mappings.count), \(humanBytes(o.mappedBytes)) mapped, \(humanBytes(o.inCoreBytes)) stored in the core"))
        let width = rows.map(\.0.count).max() ?? 0
        var out = ""
        for (k, v) in rows {
            out += k + String(repeating: " ", count: width - k.count) + "  " + v + "\n"
        }
        if showMappings {
            var table = TextTable(headers: ["start", "end", "perm", "size", "in core", "file"], rightAligned: [3, 4])
            for m in o.mappings {
                let file = m.file.map { f in m.offset.map { "\(f) @\(hex($0))" } ?? f } ?? ""
                table.add([hex(m.start), hex(m.end), m.permissions, humanBytes(m.end - m.start), humanBytes(m.inCore), file])
            }
            out += "\n" + table.rendered()
        }
        return out
    }
}
