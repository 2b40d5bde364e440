import GoDWARF

/// A word of a typed value that may point into the heap, and what the pointee is.
public struct PointerSlot: Sendable {
    public enum Kind: UInt8, Sendable {
        /// `*T`: the word points at a T.
        case pointer
        /// A string's data pointer (word 0; the length is word 1).
        case string
        /// A slice's array pointer (word 0; len and cap follow); target is the element type.
        case slice
        /// `interface{}`: type word at `offset`, data word at `offset + 8`.
        case eface
        /// A non-empty interface: itab word at `offset`, data word at `offset + 8`.
        case iface
        /// A map value: points at the map header; target is the header struct.
        case map
        /// A channel value: points at hchan; target is the hchan struct, `elem` the element type.
        case chan
        /// A func value: points at a closure.
        case function
        /// unsafe.Pointer: points somewhere, type unknown.
        case unsafePointer
        /// A large array of `count` elements of `target` starting at `offset`, walked element by element.
        case array
    }

    public var offset: UInt64
    public var kind: Kind
    public var target: TypeID
    public var elem: TypeID
    public var count: UInt64
}

/// The pointer slots of each type, flattened through nested structs and small arrays, computed lazily.
///
/// Invariant: `slots(of:)` lists slots in offset order within one value of the type; arrays longer than
/// `inlineArrayLimit` elements appear as one `.array` slot instead of being unrolled.
struct PointerSlotCache {
    static let inlineArrayLimit: UInt64 = 16
    static let none = TypeID.max
    private var cache: [TypeID: [PointerSlot]] = [:]

    mutating func slots(of id: TypeID, in table: TypeTable) -> [PointerSlot] {
        if let c = cache[id] { return c }
        var out: [PointerSlot] = []
        append(id, at: 0, table: table, into: &out, depth: 0)
        cache[id] = out
        return out
    }

    private func append(_ id: TypeID, at base: UInt64, table: TypeTable, into out: inout [PointerSlot], depth: Int) {
        guard depth < 24 else { return }
        let t = table[id]
        let none = PointerSlotCache.none
        switch t.kind {
        case .pointer:
            out.append(PointerSlot(offset: base, kind: .pointer, target: t.elem ?? none, elem: none, count: 1))
        case .unsafePointer:
            out.append(PointerSlot(offset: base, kind: .unsafePointer, target: none, elem: none, count: 1))
        case .string:
            out.append(PointerSlot(offset: base, kind: .string, target: none, elem: none, count: 1))
        case .slice:
            out.append(PointerSlot(offset: base, kind: .slice, target: sliceElem(t, table) ?? none, elem: none, count: 1))
        case .eface:
            out.append(PointerSlot(offset: base, kind: .eface, target: none, elem: none, count: 1))
        case .iface:
            out.append(PointerSlot(offset: base, kind: .iface, target: none, elem: none, count: 1))
        case .map:
            out.append(PointerSlot(offset: base, kind: .map, target: t.header ?? none, elem: none, count: 1))
        case .chan:
            out.append(PointerSlot(offset: base, kind: .chan, target: t.header ?? none, elem: t.elem ?? none, count: 1))
        case .function:
            out.append(PointerSlot(offset: base, kind: .function, target: none, elem: none, count: 1))
        case .struct:
            // atomic.Pointer[T] and its runtime twins: `_ [0]*T` names what `v unsafe.Pointer` points at.
            if let phantom = t.fields.first(where: { table[$0.type].kind == .array && table[$0.type].count == 0 }),
               let elem = table[phantom.type].elem, table[elem].kind == .pointer, let target = table[elem].elem,
               let v = t.fields.first(where: { $0.name == "v" && table[$0.type].kind == .unsafePointer }) {
                out.append(PointerSlot(offset: base + v.offset, kind: .pointer, target: target, elem: none, count: 1))
                return
            }
            for f in t.fields { append(f.type, at: base + f.offset, table: table, into: &out, depth: depth + 1) }
        case .array:
            guard let e = t.elem, t.count > 0 else { return }
            let elem = table[e]
            guard typeMayHoldPointers(e, table: table, depth: 0) else { return }
            if t.count <= PointerSlotCache.inlineArrayLimit {
                for i in 0..<t.count { append(e, at: base + i * elem.size, table: table, into: &out, depth: depth + 1) }
            } else {
                out.append(PointerSlot(offset: base, kind: .array, target: e, elem: none, count: t.count))
            }
        case .scalar, .unknown:
            return
        }
    }

    /// The element type of a slice: its go_elem, else the pointee of its `array` field.
    func sliceElem(_ t: GoType, _ table: TypeTable) -> TypeID? {
        if let e = t.elem { return e }
        if let array = t.fields.first(where: { $0.name == "array" }), table[array.type].kind == .pointer {
            return table[array.type].elem
        }
        return nil
    }

    func typeMayHoldPointers(_ id: TypeID, table: TypeTable, depth: Int) -> Bool {
        guard depth < 24 else { return true }
        let t = table[id]
        switch t.kind {
        case .scalar: return false
        case .array: return t.elem.map { typeMayHoldPointers($0, table: table, depth: depth + 1) } ?? false
        case .struct: return t.fields.contains { typeMayHoldPointers($0.type, table: table, depth: depth + 1) }
        case .unknown: return false
        default: return true
        }
    }
}
