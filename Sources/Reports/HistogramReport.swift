import Analysis

/// Renders `coreview histogram`.
public enum HistogramReport {
    public static func json(_ h: Histogram, top: Int) -> JSON {
        let rows = top > 0 ? Array(h.rows.prefix(top)) : h.rows
        return .object([
            ("objects", .int(Int64(h.objects))),
            ("bytes", .uint(h.bytes)),
            ("knownObjects", .int(Int64(h.knownObjects))),
            ("types", .array(rows.map { r in
                .object([("type", .string(r.type)), ("objects", .int(Int64(r.objects))), ("bytes", .uint(r.bytes))])
            })),
        ])
    }

    public static func text(_ h: Histogram, top: Int) -> String {
        let rows = top > 0 ? Array(h.rows.prefix(top)) : h.rows
        var table = TextTable(headers: ["objects", "bytes", "share", "type"], rightAligned: [0, 1, 2])
        for r in rows {
            table.add([grouped(r.objects), humanBytes(r.bytes), percent(r.bytes, of: h.bytes), r.type])
        }
        var out = table.rendered()
        if rows.count < h.rows.count {
            let rest = h.rows.dropFirst(rows.count)
            let n = rest.reduce(0) { $0 + $1.objects }
            let b = rest.reduce(UInt64(0)) { $0 + $1.bytes }
            out += "… \(rest.count) more types: \(grouped(n)) objects, \(humanBytes(b))\n"
        }
        out += "\nTotal: \(grouped(h.objects)) objects, \(humanBytes(h.bytes)); type known for \(percent(UInt64(h.knownObjects), of: UInt64(max(h.objects, 1)))) of objects\n"
        return out
    }
}
