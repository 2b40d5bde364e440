import GoDWARF
import GoRuntime

/// Names the place at a byte offset inside a typed value: ".next", "[3].data", ".buckets".
enum FieldNames {
    static func path(in types: TypeTable, type: TypeID, offset: UInt64) -> String {
        var out = ""
        var id = type
        var o = offset
        for _ in 0..<32 {
            let t = types[id]
            switch t.kind {
            case .struct, .string, .slice, .eface, .iface:
                guard let f = t.fields.last(where: { $0.offset <= o }) else { return out }
                let size = types[f.type].size
                guard o < f.offset + max(size, 1) else { return out }
                out += "." + f.name
                o -= f.offset
                id = f.type
            case .array:
                guard let e = t.elem else { return out }
                let size = max(types[e].size, 1)
                out += "[\(o / size)]"
                o %= size
                id = e
            default:
                return out
            }
        }
        return out
    }

    /// The field of an object (typed `ref`, starting `dataOffset` bytes into its slot) at `slotOffset`.
    static func objectField(types: TypeTable, ref: HeapTypeRef, dataOffset: UInt64, slotOffset: UInt64) -> String? {
        guard ref.isKnown, slotOffset >= dataOffset else { return nil }
        let o = slotOffset - dataOffset
        if ref.isArray {
            let size = max(types[ref.type].size, 1)
            return "[\(o / size)]" + path(in: types, type: ref.type, offset: o % size)
        }
        let p = path(in: types, type: ref.type, offset: o)
        return p.isEmpty ? nil : p
    }
}
