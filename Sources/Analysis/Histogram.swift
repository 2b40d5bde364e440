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

    public init(heap: GoHeap, tinyValues: [TinyValue] = []) {
        // Tiny blocks holding typed values count one object per distinct value: the values sorted by
        // (block id, offset), consumed in step with the objects, which come in id order.
        var tiny = tinyValues.sorted { $0.bits < $1.bits }  // by key, then type
        tiny = tiny.enumerated().filter { $0.offset == 0 || tiny[$0.offset - 1].key != $0.element.key }.map(\.element)
        var nextTiny = 0
        // Counts per type reference, in a flat array: [type id * 2 + array flag].
        var counts = [Int](repeating: 0, count: heap.types.count * 2 + 2)
        var sums = [UInt64](repeating: 0, count: heap.types.count * 2 + 2)
        func slot(_ raw: UInt32) -> Int { Int(raw & 0x7fff_ffff) * 2 + (raw & 0x8000_0000 != 0 ? 1 : 0) }
        var unknownBySize: [UInt64: (Int, UInt64)] = [:]
        var total = 0, totalBytes: UInt64 = 0, known = 0
        let spans = heap.spans
        for s in 0..<spans.spans.count {
            let span = spans.spans[s]
            let accounted = span.accountedSlotSize
            spans.forEachObject(inSpan: s) { _, id in
                if nextTiny < tiny.count, UInt32(tiny[nextTiny].key >> 4) == id {
                    var values: [(key: UInt64, value: TypeID)] = []
                    while nextTiny < tiny.count, UInt32(tiny[nextTiny].key >> 4) == id {
                        values.append((tiny[nextTiny].key & 15, tiny[nextTiny].type))
                        nextTiny += 1
                    }
                    for (i, v) in values.enumerated() {
                        let end = i + 1 < values.count ? values[i + 1].key : 16
                        let share = i == 0 ? end : end - v.key
                        let raw = HeapTypeRef(type: v.value, array: false).raw
                        total += 1
                        known += 1
                        totalBytes += share
                        counts[slot(raw)] += 1
                        sums[slot(raw)] += share
                    }
                    return
                }
                let ref = HeapTypeRef(raw: heap.objectTypes[Int(id)])
                total += 1
                totalBytes += accounted
                if ref.isKnown {
                    known += 1
                    counts[slot(ref.raw)] += 1
                    sums[slot(ref.raw)] += accounted
                } else {
                    let key = span.isLarge ? 0 : span.elemSize
                    unknownBySize[key, default: (0, 0)].0 += 1
                    unknownBySize[key, default: (0, 0)].1 += accounted
                }
            }
        }
        var rows: [Row] = []
        for i in counts.indices where counts[i] > 0 {
            let ref = HeapTypeRef(type: TypeID(i / 2), array: i % 2 == 1)
            rows.append(Row(type: heap.typeName(ref), objects: counts[i], bytes: sums[i], known: true))
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
