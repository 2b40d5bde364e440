import CElfutils

/// A member of a DWARF struct as read, before its type is resolved.
struct RawMember {
    var name: String
    var offset: UInt64
    var typeRef: UInt64?
    var embedded: Bool
}

/// A type DIE as read, before resolution into a `GoType`.
struct RawTypeDIE {
    var tag: Int32
    var name: String?
    var size: UInt64?
    var goKind: UInt8?
    var runtimeType: UInt64?
    var typeRef: UInt64?
    var keyRef: UInt64?
    var elemRef: UInt64?
    var count: UInt64?
    var members: [RawMember] = []

    static func isTypeTag(_ tag: Int32) -> Bool {
        switch tag {
        case Int32(DW_TAG_base_type), Int32(DW_TAG_pointer_type), Int32(DW_TAG_structure_type),
             Int32(DW_TAG_array_type), Int32(DW_TAG_typedef), Int32(DW_TAG_subroutine_type),
             Int32(DW_TAG_unspecified_type):
            return true
        default:
            return false
        }
    }

    /// A typedef that only names another type (Go writes one for every named type): it resolves to its
    /// target. Typedefs that carry Go's kind for maps, channels, funcs and interfaces are types themselves.
    var isPlainAlias: Bool {
        guard tag == Int32(DW_TAG_typedef) else { return false }
        switch goKind {
        case GoKindCode.map, GoKindCode.chan, GoKindCode.function, GoKindCode.interface: return false
        default: return typeRef != nil
        }
    }
}

/// Every Go type the executable's DWARF describes, by dense `TypeID`.
///
/// Invariants: plain typedefs share the ID of the type they name; `byRuntimeOffset` maps the
/// DW_AT_go_runtime_type offsets to IDs; `byName` maps each type's name (full import path, as DWARF
/// writes it) to one ID.
public struct TypeTable: Sendable {
    public private(set) var types: [GoType] = []
    private var byDIE: [UInt64: TypeID] = [:]
    private var byName: [String: TypeID] = [:]
    private var byRuntimeOffset: [UInt64: TypeID] = [:]

    public subscript(id: TypeID) -> GoType { types[Int(id)] }
    public var count: Int { types.count }

    public func id(forDIE offset: UInt64) -> TypeID? { byDIE[offset] }
    public func id(named name: String) -> TypeID? { byName[name] }
    /// The type whose runtime descriptor is at `moduledata.types + offset`.
    public func id(runtimeOffset: UInt64) -> TypeID? { byRuntimeOffset[runtimeOffset] }
    public var allNames: Dictionary<String, TypeID>.Keys { byName.keys }

    /// Adds a type not described by DWARF (made from a runtime descriptor); returns its ID.
    public mutating func add(_ type: GoType, runtimeOffset: UInt64? = nil) -> TypeID {
        let id = TypeID(types.count)
        types.append(type)
        if byName[type.name] == nil { byName[type.name] = id }
        if let r = runtimeOffset, byRuntimeOffset[r] == nil { byRuntimeOffset[r] = id }
        return id
    }

    public mutating func setRuntimeOffset(_ offset: UInt64, for id: TypeID) {
        if byRuntimeOffset[offset] == nil { byRuntimeOffset[offset] = id }
        types[Int(id)].runtimeTypeOffset = types[Int(id)].runtimeTypeOffset ?? offset
    }

    init(raw: [UInt64: RawTypeDIE]) {
        // 1. Give an ID to every DIE that is a type of its own, in DIE order for determinism.
        let offsets = raw.keys.sorted()
        for off in offsets where !(raw[off]!.isPlainAlias) {
            byDIE[off] = TypeID(types.count)
            types.append(GoType(name: raw[off]!.name ?? "", kind: .unknown, size: 0, dwarfOffset: off))
        }
        // 2. Point plain typedefs at the ID their chain ends in.
        for off in offsets where raw[off]!.isPlainAlias {
            var target = raw[off]!.typeRef
            var steps = 0
            while let t = target, let r = raw[t], r.isPlainAlias, steps < 64 {
                target = r.typeRef
                steps += 1
            }
            if let t = target, let id = byDIE[t] { byDIE[off] = id }
        }
        // 3. Fill each type.
        for off in offsets {
            guard let id = byDIE[off], types[Int(id)].dwarfOffset == off else { continue }
            types[Int(id)] = resolve(raw[off]!, offset: off, raw: raw)
        }
        // 4. Synthesized map and channel structs get the names Go uses for them.
        for i in types.indices {
            let name = types[i].name
            let stars = name.prefix { $0 == "*" }
            if types[i].kind == .struct || !stars.isEmpty, let n = TypeDisplayNames.rewrite(String(name.dropFirst(stars.count))) {
                types[i].name = stars + n
            }
        }
        // 5. Index by name and runtime offset. Prefer the DIE that carries the runtime type.
        for (i, t) in types.enumerated() {
            let id = TypeID(i)
            if !t.name.isEmpty {
                if let existing = byName[t.name] {
                    if types[Int(existing)].runtimeTypeOffset == nil && t.runtimeTypeOffset != nil { byName[t.name] = id }
                } else {
                    byName[t.name] = id
                }
            }
            if let r = t.runtimeTypeOffset, byRuntimeOffset[r] == nil { byRuntimeOffset[r] = id }
        }
    }

    private func resolve(_ r: RawTypeDIE, offset: UInt64, raw: [UInt64: RawTypeDIE]) -> GoType {
        let name = r.name ?? ""
        var t = GoType(name: name, kind: .unknown, size: r.size ?? 0, dwarfOffset: offset)
        t.runtimeTypeOffset = r.runtimeType
        t.goKind = r.goKind
        let target = r.typeRef.flatMap { byDIE[$0] }
        switch r.tag {
        case Int32(DW_TAG_base_type):
            t.kind = .scalar
        case Int32(DW_TAG_pointer_type):
            t.size = 8
            if name == "unsafe.Pointer" || target == nil {
                t.kind = .unsafePointer
            } else {
                t.kind = .pointer
                t.elem = target
            }
        case Int32(DW_TAG_subroutine_type):
            t.kind = .function
            t.size = 8
        case Int32(DW_TAG_array_type):
            t.kind = .array
            t.elem = target
            t.count = r.count ?? 0
            if r.size == nil, let e = target { t.size = t.count * types[Int(e)].size }
        case Int32(DW_TAG_structure_type):
            t.fields = r.members.map { m in
                GoField(name: m.name, offset: m.offset, type: m.typeRef.flatMap { byDIE[$0] } ?? TypeID.max,
                        embedded: m.embedded)
            }.filter { $0.type != TypeID.max }
            switch r.goKind {
            case GoKindCode.string: t.kind = .string
            case GoKindCode.slice:
                t.kind = .slice
                t.elem = r.elemRef.flatMap { byDIE[$0] }
            default:
                if name == "runtime.eface" { t.kind = .eface }
                else if name == "runtime.iface" { t.kind = .iface }
                else { t.kind = .struct }
            }
        case Int32(DW_TAG_typedef):
            switch r.goKind {
            case GoKindCode.map:
                t.kind = .map
                t.size = 8
                t.key = r.keyRef.flatMap { byDIE[$0] }
                t.elem = r.elemRef.flatMap { byDIE[$0] }
                if let p = target, types[Int(p)].kind == .pointer || raw[r.typeRef!]?.tag == Int32(DW_TAG_pointer_type) {
                    t.header = raw[r.typeRef!]?.typeRef.flatMap { byDIE[$0] }
                }
            case GoKindCode.chan:
                t.kind = .chan
                t.size = 8
                t.elem = r.elemRef.flatMap { byDIE[$0] }
                if let ref = r.typeRef { t.header = raw[ref]?.typeRef.flatMap { byDIE[$0] } }
            case GoKindCode.function:
                t.kind = .function
                t.size = 8
            case GoKindCode.interface:
                // Points (through typedefs) at runtime.eface or runtime.iface.
                var name2 = ""
                var ref = r.typeRef
                var steps = 0
                while let x = ref, let rr = raw[x], steps < 64 {
                    name2 = rr.name ?? name2
                    if !rr.isPlainAlias && rr.tag != Int32(DW_TAG_typedef) { break }
                    ref = rr.typeRef
                    steps += 1
                }
                t.kind = name2 == "runtime.eface" ? .eface : .iface
                t.size = 16
            default:
                t.kind = .unknown
            }
        default:
            t.kind = .unknown
        }
        return t
    }
}
