import GoDWARF
import GoRuntime

/// Objects and bytes per type, largest first; objects of unknown type grouped by size class.
public struct Histogram: Sendable {
    public struct Row: Sendable {
        public var type: String
        public var objects: Int
        public var bytes: UInt64
        public var known: Bool
    }

    public var rows: [Row]
    public var objects: Int
    public var bytes: UInt64
    public var knownObjects: Int

    public init(heap: GoHeap, tinyValues: [(key: UInt64, type: TypeID)] = []) {
        // Tiny blocks holding typed values count one object per distinct value.
        var tinyByBlock: [UInt32: [(offset: UInt64, type: TypeID)]] = [:]
        for v in tinyValues {
            tinyByBlock[UInt32(v.key >> 4), default: []].append((v.key & 15, v.type))
        }
        var byType: [UInt32: (Int, UInt64)] = [:]
        var unknownBySize: [UInt64: (Int, UInt64)] = [:]
        var total = 0, totalBytes: UInt64 = 0, known = 0
        let spans = heap.spans
        for s in 0..<spans.spans.count {
            let span = spans.spans[s]
            let accounted = span.accountedSlotSize
            spans.forEachObject(inSpan: s) { _, id in
                if let values = tinyByBlock[id] {
                    let sorted = Dictionary(values.map { ($0.offset, $0.type) }, uniquingKeysWith: { a, _ in a })
                        .sorted { $0.key < $1.key }
                    for (i, v) in sorted.enumerated() {
                        let end = i + 1 < sorted.count ? sorted[i + 1].key : 16
                        let share = i == 0 ? end : end - v.key
                        let raw = HeapTypeRef(type: v.value, array: false).raw
                        total += 1
                        known += 1
                        totalBytes += share
                        byType[raw, default: (0, 0)].0 += 1
                        byType[raw, default: (0, 0)].1 += share
                    }
                    return
                }
                let ref = HeapTypeRef(raw: heap.objectTypes[Int(id)])
                total += 1
                totalBytes += accounted
                if ref.isKnown {
                    known += 1
                    byType[ref.raw, default: (0, 0)].0 += 1
                    byType[ref.raw, default: (0, 0)].1 += accounted
                } else {
                    let key = span.isLarge ? 0 : span.elemSize
                    unknownBySize[key, default: (0, 0)].0 += 1
                    unknownBySize[key, default: (0, 0)].1 += accounted
                }
            }
        }
        var rows: [Row] = []
        for (raw, (n, b)) in byType {
            rows.append(Row(type: heap.typeName(HeapTypeRef(raw: raw)), objects: n, bytes: b, known: true))
        }
        for (size, (n, b)) in unknownBySize {
            rows.append(Row(type: size == 0 ? "<unknown large>" : "<unknown \(size) B slot>", objects: n, bytes: b, known: false))
        }
        // Several runtime types can share a name; merge rows by name.
        var merged: [String: Row] = [:]
        for r in rows {
            if var m = merged[r.type] { m.objects += r.objects; m.bytes += r.bytes; merged[r.type] = m } else { merged[r.type] = r }
        }
        self.rows = merged.values.sorted { ($0.bytes, $0.objects, $1.type) > ($1.bytes, $1.objects, $0.type) }
        objects = total
        bytes = totalBytes
        knownObjects = known
    }
}

extension GoHeap {
    /// The name a histogram shows for an object type: `main.Block`, or `[]main.Block` for an array.
    public func typeName(_ ref: HeapTypeRef) -> String {
        guard ref.isKnown else { return "<unknown>" }
        let name = types[ref.type].name
        return ref.isArray ? "[]" + name : name
    }
}
