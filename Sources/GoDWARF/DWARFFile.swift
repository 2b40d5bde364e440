import CElfutils
import CoreFile

/// libdw opened over an executable's ELF, with helpers to read DIE attributes as Swift values.
///
/// libdw is not thread-safe on one handle: everything reading through a `DWARFFile` must run on one
/// thread. The index built from it (`DWARFIndex`) is plain Swift values and may be shared freely.
final class DWARFFile {
    let dwarf: OpaquePointer
    let executable: Executable

    init(executable: Executable) throws {
        guard executable.hasDWARF else {
            throw CoreviewError.noDWARF(path: executable.path, needed: "heap analysis")
        }
        guard let d = dwarf_begin_elf(executable.image.elf, DWARF_C_READ, nil) else {
            let message = String(cString: dwarf_errmsg(-1))
            throw CoreviewError.notExecutable(path: executable.path, reason: "its DWARF does not load: \(message)")
        }
        dwarf = d
        self.executable = executable
    }

    deinit { dwarf_end(dwarf) }

    /// Calls `body` with the root DIE of every compilation unit, in file order.
    func forEachUnit(_ body: (inout Dwarf_Die) -> Void) {
        var offset: Dwarf_Off = 0
        var next: Dwarf_Off = 0
        var headerSize = 0
        while dwarf_nextcu(dwarf, offset, &next, &headerSize, nil, nil, nil) == 0 {
            var die = Dwarf_Die()
            if dwarf_offdie(dwarf, offset + Dwarf_Off(headerSize), &die) != nil {
                body(&die)
            }
            offset = next
        }
    }
}

/// Attribute access on a DIE, returning nil where the attribute is absent or of another form.
extension Dwarf_Die {
    var tag: Int32 { var d = self; return dwarf_tag(&d) }
    var offset: UInt64 { var d = self; return UInt64(dwarf_dieoffset(&d)) }
    var name: String? { var d = self; return dwarf_diename(&d).map { String(cString: $0) } }

    mutating func attribute(_ code: Int32) -> Dwarf_Attribute? {
        var attr = Dwarf_Attribute()
        return dwarf_attr(&self, UInt32(code), &attr) != nil ? attr : nil
    }

    /// Like `attribute`, but follows DW_AT_abstract_origin and DW_AT_specification.
    mutating func integratedAttribute(_ code: Int32) -> Dwarf_Attribute? {
        var attr = Dwarf_Attribute()
        return dwarf_attr_integrate(&self, UInt32(code), &attr) != nil ? attr : nil
    }

    mutating func unsigned(_ code: Int32) -> UInt64? {
        guard var attr = attribute(code) else { return nil }
        var value: Dwarf_Word = 0
        return dwarf_formudata(&attr, &value) == 0 ? UInt64(value) : nil
    }

    mutating func signed(_ code: Int32) -> Int64? {
        guard var attr = attribute(code) else { return nil }
        var value: Dwarf_Sword = 0
        return dwarf_formsdata(&attr, &value) == 0 ? Int64(value) : nil
    }

    mutating func address(_ code: Int32) -> UInt64? {
        guard var attr = attribute(code) else { return nil }
        var value: Dwarf_Addr = 0
        if dwarf_formaddr(&attr, &value) == 0 { return UInt64(value) }
        var word: Dwarf_Word = 0
        return dwarf_formudata(&attr, &word) == 0 ? UInt64(word) : nil
    }

    mutating func flag(_ code: Int32) -> Bool {
        guard var attr = attribute(code) else { return false }
        var value = false
        return dwarf_formflag(&attr, &value) == 0 && value
    }

    /// The DIE offset a reference attribute points to.
    mutating func reference(_ code: Int32, integrate: Bool = false) -> UInt64? {
        guard var attr = integrate ? integratedAttribute(code) : attribute(code) else { return nil }
        var target = Dwarf_Die()
        guard dwarf_formref_die(&attr, &target) != nil else { return nil }
        return target.offset
    }

    mutating func block(_ code: Int32) -> [UInt8]? {
        guard var attr = attribute(code) else { return nil }
        var block = Dwarf_Block()
        guard dwarf_formblock(&attr, &block) == 0, let data = block.data else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(block.length)))
    }

    mutating func byteSize() -> UInt64? {
        let size = dwarf_bytesize(&self)
        return size >= 0 ? UInt64(size) : nil
    }

    mutating func pcRange() -> (low: UInt64, high: UInt64)? {
        var low: Dwarf_Addr = 0, high: Dwarf_Addr = 0
        guard dwarf_lowpc(&self, &low) == 0, dwarf_highpc(&self, &high) == 0 else { return nil }
        return (UInt64(low), UInt64(high))
    }

    /// The children of this DIE, in order.
    mutating func children() -> [Dwarf_Die] {
        var result: [Dwarf_Die] = []
        var child = Dwarf_Die()
        guard dwarf_child(&self, &child) == 0 else { return result }
        while true {
            result.append(child)
            var next = Dwarf_Die()
            guard dwarf_siblingof(&child, &next) == 0 else { break }
            child = next
        }
        return result
    }
}

/// Go's own DWARF attributes.
enum GoAttribute {
    static let kind: Int32 = 0x2900
    static let key: Int32 = 0x2901
    static let elem: Int32 = 0x2902
    static let embedded: Int32 = 0x2903
    static let runtimeType: Int32 = 0x2904
    static let packageName: Int32 = 0x2905
    static let dictIndex: Int32 = 0x2906
    static let closureOffset: Int32 = 0x2907
}
