import GoDWARF

/// Field offsets of one runtime struct, read from DWARF by name.
///
/// Invariant: `offset(of:)` answers only for fields that DWARF describes; a path like "state.s.value"
/// descends through nested struct fields and adds their offsets.
public struct StructLayout: Sendable {
    public let typeName: String
    public let type: TypeID
    public let size: UInt64
    private let table: TypeTable

    /// The first of `names` that DWARF has (type names moved between Go versions).
    public init?(_ table: TypeTable, _ names: String...) {
        guard let (name, id) = names.lazy.compactMap({ n in table.id(named: n).map { (n, $0) } }).first else {
            return nil
        }
        self.typeName = name
        self.type = id
        self.size = table[id].size
        self.table = table
    }

    /// The offset of a field path ("startAddr", "state.s.value"), or nil if some step is missing.
    public func offset(of path: String) -> UInt64? {
        var type = table[type]
        var total: UInt64 = 0
        for part in path.split(separator: ".") {
            guard let field = type.fields.first(where: { $0.name == part }) else { return nil }
            total += field.offset
            type = table[field.type]
        }
        return total
    }

    /// The type of a field path.
    public func fieldType(_ path: String) -> GoType? {
        var type = table[type]
        for part in path.split(separator: ".") {
            guard let field = type.fields.first(where: { $0.name == part }) else { return nil }
            type = table[field.type]
        }
        return type
    }

    public func has(_ path: String) -> Bool { offset(of: path) != nil }

    /// Like `offset(of:)` but throws a corrupt-runtime error naming the missing field.
    public func require(_ path: String) throws -> UInt64 {
        guard let o = offset(of: path) else {
            throw RuntimeDecodeError.missingField(typeName, path)
        }
        return o
    }
}

/// A runtime structure coreview needs is not described the way it expects.
public enum RuntimeDecodeError: Error, CustomStringConvertible {
    case missingType(String)
    case missingField(String, String)
    case missingSymbol(String)
    case unreadable(String, UInt64)
    case implausible(String)

    public var description: String {
        switch self {
        case let .missingType(t): return "DWARF has no type \(t)"
        case let .missingField(t, f): return "DWARF type \(t) has no field \(f)"
        case let .missingSymbol(s): return "the executable has no symbol or DWARF variable \(s)"
        case let .unreadable(what, addr): return "cannot read \(what) at 0x\(String(addr, radix: 16))"
        case let .implausible(what): return what
        }
    }
}
