/// Dense index of a type in a `TypeTable`.
public typealias TypeID = UInt32

/// What a Go type is, as far as following pointers needs to know.
public enum TypeKind: UInt8, Sendable {
    /// Integers, floats, bools, complex: no pointers.
    case scalar
    case pointer
    case unsafePointer
    case string
    case slice
    case array
    case `struct`
    /// `interface{}`: {type, data}.
    case eface
    /// A non-empty interface: {itab, data}.
    case iface
    /// A map value: one word pointing at the runtime's map header (`hash<K,V>` or swiss `map<K,V>`).
    case map
    /// A channel value: one word pointing at `hchan<T>`.
    case chan
    /// A func value: one word pointing at a closure (`funcval`).
    case function
    /// A type we could not classify; treated as opaque bytes.
    case unknown
}

/// One field of a struct type.
public struct GoField: Sendable, Hashable {
    public var name: String
    public var offset: UInt64
    public var type: TypeID
    public var embedded: Bool

    public init(name: String, offset: UInt64, type: TypeID, embedded: Bool) {
        self.name = name
        self.offset = offset
        self.type = type
        self.embedded = embedded
    }
}

/// A Go type recovered from DWARF.
///
/// Invariants: `size` is the value size in bytes (8 for pointer-shaped kinds); `fields` is only set for
/// structs (and the struct-shaped string/slice/interface headers) in offset order; `elem` is the pointee
/// of pointers, the element of arrays and slices, the element of maps and channels, and for `map`/`chan`
/// kinds `header` is the struct the value points at.
public struct GoType: Sendable {
    public var name: String
    public var kind: TypeKind
    public var size: UInt64
    public var fields: [GoField] = []
    public var elem: TypeID?
    public var key: TypeID?
    /// For maps and channels: the runtime struct the value points to (`hash<K,V>`, `map<K,V>`, `hchan<T>`).
    public var header: TypeID?
    /// Array length.
    public var count: UInt64 = 0
    /// DW_AT_go_runtime_type: the descriptor's offset from `moduledata.types` (absolute for `uintptr`
    /// before Go 1.23). Nil if the linker recorded none.
    public var runtimeTypeOffset: UInt64?
    /// The DIE this type came from.
    public var dwarfOffset: UInt64
    /// The go_kind attribute (abi.Kind) if present.
    public var goKind: UInt8?

    public init(name: String, kind: TypeKind, size: UInt64, dwarfOffset: UInt64) {
        self.name = name
        self.kind = kind
        self.size = size
        self.dwarfOffset = dwarfOffset
    }

    /// True for kinds whose value is a single word that may point into the heap.
    public var isPointerShaped: Bool {
        switch kind {
        case .pointer, .unsafePointer, .map, .chan, .function: return true
        default: return false
        }
    }
}

/// abi.Kind values (the same in every Go version).
public enum GoKindCode {
    public static let array: UInt8 = 17
    public static let chan: UInt8 = 18
    public static let function: UInt8 = 19
    public static let interface: UInt8 = 20
    public static let map: UInt8 = 21
    public static let pointer: UInt8 = 22
    public static let slice: UInt8 = 23
    public static let string: UInt8 = 24
    public static let `struct`: UInt8 = 25
    public static let unsafePointer: UInt8 = 26
}
