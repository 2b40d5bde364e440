import CElfutils
import CoreFile

/// Everything coreview takes from an executable's DWARF, read once into plain Swift values: the Go
/// types, the globals, the integer constants, and each function's variables with their locations.
///
/// Invariants: `globals` is sorted by address; `functions` by `lowPC`. Addresses are link-time (add the
/// load bias for PIE executables).
public final class DWARFIndex: @unchecked Sendable {
    public let types: TypeTable
    public let globals: [GlobalVariable]
    public let constants: [String: Int64]
    public let functions: [FunctionDebugInfo]
    /// The DWARF version of the first unit (4 or 5).
    public let version: Int

    init(types: TypeTable, globals: [GlobalVariable], constants: [String: Int64],
         functions: [FunctionDebugInfo], version: Int) {
        self.types = types
        self.globals = globals
        self.constants = constants
        self.functions = functions
        self.version = version
    }

    /// Reads the executable's DWARF. Throws `.noDWARF` if it has none.
    public static func load(_ executable: Executable) throws -> DWARFIndex {
        let file = try DWARFFile(executable: executable)
        var builder = DWARFIndexBuilder()
        file.forEachUnit { unit in builder.readUnit(&unit) }
        return builder.finish()
    }

    public func global(named name: String) -> GlobalVariable? {
        globals.first { $0.name == name }
    }

    /// The global whose [address, address + size) holds `address`.
    public func global(containing address: UInt64) -> GlobalVariable? {
        var lo = 0, hi = globals.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if globals[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let g = globals[lo - 1]
        return address < g.address + max(g.size, 1) ? g : nil
    }

    /// The function whose code holds `pc`.
    public func function(containing pc: UInt64) -> FunctionDebugInfo? {
        var lo = 0, hi = functions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if functions[mid].lowPC <= pc { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return nil }
        let f = functions[lo - 1]
        return pc < f.highPC ? f : nil
    }
}

/// Accumulates one pass over the DIEs into a `DWARFIndex`.
struct DWARFIndexBuilder {
    var rawTypes: [UInt64: RawTypeDIE] = [:]
    var rawGlobals: [(name: String, address: UInt64, typeRef: UInt64?)] = []
    var constants: [String: Int64] = [:]
    var rawFunctions: [RawFunction] = []
    var version = 0

    struct RawVariable {
        var name: String
        var typeRef: UInt64?
        var isParameter: Bool
        var closureOffset: UInt64?
        var locations: [VariableLocation]
    }

    struct RawFunction {
        var name: String
        var low: UInt64
        var high: UInt64
        var variables: [RawVariable]
    }

    mutating func readUnit(_ unit: inout Dwarf_Die) {
        if version == 0 {
            // The CU header version is not exposed per DIE; infer from the presence of DWARF 5 sections later.
            version = 4
        }
        for var die in unit.children() {
            let tag = die.tag
            switch tag {
            case Int32(DW_TAG_variable):
                readGlobal(&die)
            case Int32(DW_TAG_constant):
                if let name = die.name {
                    if let v = die.signed(Int32(DW_AT_const_value)) { constants[name] = v }
                    else if let v = die.unsigned(Int32(DW_AT_const_value)) { constants[name] = Int64(bitPattern: v) }
                }
            case Int32(DW_TAG_subprogram):
                readFunction(&die)
            default:
                if RawTypeDIE.isTypeTag(tag) { readType(&die) }
            }
        }
    }

    mutating func readGlobal(_ die: inout Dwarf_Die) {
        guard let name = die.name, let block = die.block(Int32(DW_AT_location)),
              block.count == 9, block[0] == 0x03 /* DW_OP_addr */ else { return }
        var address: UInt64 = 0
        for i in 0..<8 { address |= UInt64(block[1 + i]) << (8 * UInt64(i)) }
        rawGlobals.append((name, address, die.reference(Int32(DW_AT_type))))
    }

    mutating func readType(_ die: inout Dwarf_Die) {
        let tag = die.tag
        var raw = RawTypeDIE(tag: tag, name: die.name)
        raw.size = die.byteSize()
        if let k = die.unsigned(GoAttribute.kind) { raw.goKind = UInt8(truncatingIfNeeded: k) }
        if let rt = die.address(GoAttribute.runtimeType), rt != 0 { raw.runtimeType = rt }
        raw.typeRef = die.reference(Int32(DW_AT_type))
        raw.keyRef = die.reference(GoAttribute.key)
        raw.elemRef = die.reference(GoAttribute.elem)
        if tag == Int32(DW_TAG_structure_type) {
            for var member in die.children() where member.tag == Int32(DW_TAG_member) {
                raw.members.append(RawMember(name: member.name ?? "",
                                             offset: member.unsigned(Int32(DW_AT_data_member_location)) ?? 0,
                                             typeRef: member.reference(Int32(DW_AT_type)),
                                             embedded: member.flag(GoAttribute.embedded)))
            }
        } else if tag == Int32(DW_TAG_array_type) {
            for var sub in die.children() where sub.tag == Int32(DW_TAG_subrange_type) {
                if let c = sub.unsigned(Int32(DW_AT_count)) { raw.count = c }
                else if let u = sub.signed(Int32(DW_AT_upper_bound)) { raw.count = UInt64(max(0, u + 1)) }
            }
        }
        rawTypes[die.offset] = raw
    }

    mutating func readFunction(_ die: inout Dwarf_Die) {
        guard let name = die.name, let range = die.pcRange(), range.high > range.low else { return }
        var variables: [RawVariable] = []
        // Walk nested blocks iteratively; each entry carries the PC range its block covers.
        var stack: [(Dwarf_Die, UInt64, UInt64)] = die.children().map { ($0, range.low, range.high) }
        stack.reverse()
        while let (child, blockLow, blockHigh) = stack.popLast() {
            var d = child
            let tag = d.tag
            if tag == Int32(DW_TAG_formal_parameter) || tag == Int32(DW_TAG_variable) {
                guard let varName = d.integratedAttribute(Int32(DW_AT_name)).flatMap({ attr -> String? in
                    var a = attr
                    return dwarf_formstring(&a).map { String(cString: $0) }
                }) else { continue }
                let locations = DWARFIndexBuilder.locations(of: &d, blockLow: blockLow, blockHigh: blockHigh)
                variables.append(RawVariable(name: varName, typeRef: d.reference(Int32(DW_AT_type), integrate: true),
                                             isParameter: tag == Int32(DW_TAG_formal_parameter),
                                             closureOffset: d.unsigned(GoAttribute.closureOffset),
                                             locations: locations))
            } else if tag == Int32(DW_TAG_lexical_block) || tag == Int32(DW_TAG_inlined_subroutine) {
                let r = d.pcRange() ?? (blockLow, blockHigh)
                for c in d.children().reversed() { stack.append((c, r.low, r.high)) }
            }
        }
        rawFunctions.append(RawFunction(name: name, low: range.low, high: range.high, variables: variables))
    }

    static func locations(of die: inout Dwarf_Die, blockLow: UInt64, blockHigh: UInt64) -> [VariableLocation] {
        guard var attr = die.attribute(Int32(DW_AT_location)) else { return [] }
        var result: [VariableLocation] = []
        var offset: Int = 0
        var base: Dwarf_Addr = 0, start: Dwarf_Addr = 0, end: Dwarf_Addr = 0
        var expr: UnsafeMutablePointer<Dwarf_Op>?
        var length = 0
        while true {
            offset = dwarf_getlocations(&attr, offset, &base, &start, &end, &expr, &length)
            guard offset > 0, let ops = expr else { break }
            let pieces = decodePieces(UnsafeBufferPointer(start: ops, count: length))
            var low = UInt64(start), high = UInt64(end)
            if low == 0 && high == UInt64.max { low = blockLow; high = blockHigh }
            result.append(VariableLocation(low: low, high: high, pieces: pieces))
        }
        return result
    }

    static func decodePieces(_ ops: UnsafeBufferPointer<Dwarf_Op>) -> [LocationPiece] {
        var pieces: [LocationPiece] = []
        var current: LocationPlace = .unavailable
        var sawPlace = false
        for op in ops {
            let atom = Int32(op.atom)
            switch atom {
            case Int32(DW_OP_call_frame_cfa):
                current = .frame(0); sawPlace = true
            case Int32(DW_OP_fbreg):
                current = .frame(Int64(bitPattern: UInt64(op.number))); sawPlace = true
            case Int32(DW_OP_consts):
                if case let .frame(base) = current { current = .frame(base + Int64(bitPattern: UInt64(op.number))) }
                else { current = .other }
            case Int32(DW_OP_plus_uconst):
                if case let .frame(base) = current { current = .frame(base + Int64(op.number)) } else { current = .other }
            case Int32(DW_OP_plus):
                break
            case Int32(DW_OP_reg0)...Int32(DW_OP_reg31):
                current = .register(UInt16(atom - Int32(DW_OP_reg0))); sawPlace = true
            case Int32(DW_OP_regx):
                current = .register(UInt16(truncatingIfNeeded: op.number)); sawPlace = true
            case Int32(DW_OP_piece):
                pieces.append(LocationPiece(size: UInt32(truncatingIfNeeded: op.number), place: sawPlace ? current : .unavailable))
                current = .unavailable; sawPlace = false
            default:
                current = .other; sawPlace = true
            }
        }
        if pieces.isEmpty { pieces.append(LocationPiece(size: 0, place: sawPlace ? current : .unavailable)) }
        return pieces
    }

    func finish() -> DWARFIndex {
        let table = TypeTable(raw: rawTypes)
        var globals = rawGlobals.map { g -> GlobalVariable in
            let type = g.typeRef.flatMap { table.id(forDIE: $0) }
            return GlobalVariable(name: g.name, address: g.address, type: type,
                                  size: type.map { table[$0].size } ?? 0)
        }
        globals.sort { $0.address < $1.address }
        var functions = rawFunctions.map { f in
            FunctionDebugInfo(name: f.name, lowPC: f.low, highPC: f.high, variables: f.variables.map { v in
                FrameVariable(name: v.name, type: v.typeRef.flatMap { table.id(forDIE: $0) },
                              isParameter: v.isParameter, closureOffset: v.closureOffset, locations: v.locations)
            })
        }
        functions.sort { $0.lowPC < $1.lowPC }
        return DWARFIndex(types: table, globals: globals, constants: constants, functions: functions, version: version)
    }
}
