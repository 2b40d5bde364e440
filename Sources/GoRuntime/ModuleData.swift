import CoreFile
import GoDWARF

/// A Go slice header as it sits in memory.
public struct SliceHeader: Sendable, Hashable {
    public var pointer: UInt64
    public var length: UInt64
    public var capacity: UInt64
}

/// One loaded Go module (`runtime.moduledata`): its text, data and bss ranges, GC pointer masks for data
/// and bss, type descriptor range, and the pclntab pieces for unwinding and naming code.
///
/// All addresses are run-time addresses, read from the core (so PIE relocation is already applied).
public struct ModuleData: Sendable {
    public var address: UInt64
    public var pcHeader: UInt64
    public var funcnametab: SliceHeader
    public var cutab: SliceHeader
    public var filetab: SliceHeader
    public var pctab: SliceHeader
    public var pclntable: SliceHeader
    public var ftab: SliceHeader
    public var findfunctab: UInt64
    public var minpc: UInt64
    public var maxpc: UInt64
    public var text: UInt64
    public var etext: UInt64
    public var data: UInt64
    public var edata: UInt64
    public var bss: UInt64
    public var ebss: UInt64
    public var noptrdata: UInt64
    public var enoptrdata: UInt64
    public var noptrbss: UInt64
    public var enoptrbss: UInt64
    public var types: UInt64
    public var etypes: UInt64
    public var rodata: UInt64
    public var gofunc: UInt64
    /// Bit vector of pointer words in [data, edata): bit i covers data + 8i.
    public var gcdatamask: (count: Int, bytes: UInt64)
    public var gcbssmask: (count: Int, bytes: UInt64)
    public var next: UInt64

    /// Reads the moduledata at `address` using the DWARF layout of `runtime.moduledata`.
    public static func read(at address: UInt64, layout: StructLayout, memory: AddressSpace) throws -> ModuleData {
        func word(_ field: String) throws -> UInt64 {
            let off = try layout.require(field)
            guard let v = memory.u64(address + off) else {
                throw RuntimeDecodeError.unreadable("runtime.moduledata.\(field)", address + off)
            }
            return v
        }
        func optionalWord(_ field: String) -> UInt64? {
            layout.offset(of: field).flatMap { memory.u64(address + $0) }
        }
        func slice(_ field: String) throws -> SliceHeader {
            let off = try layout.require(field)
            guard let p = memory.u64(address + off), let l = memory.u64(address + off + 8),
                  let c = memory.u64(address + off + 16) else {
                throw RuntimeDecodeError.unreadable("runtime.moduledata.\(field)", address + off)
            }
            return SliceHeader(pointer: p, length: l, capacity: c)
        }
        func bitvector(_ field: String) throws -> (Int, UInt64) {
            let off = try layout.require(field)
            guard let n = memory.u32(address + off), let p = memory.u64(address + off + 8) else {
                throw RuntimeDecodeError.unreadable("runtime.moduledata.\(field)", address + off)
            }
            return (Int(Int32(bitPattern: n)), p)
        }
        return ModuleData(
            address: address,
            pcHeader: try word("pcHeader"),
            funcnametab: try slice("funcnametab"), cutab: try slice("cutab"), filetab: try slice("filetab"),
            pctab: try slice("pctab"), pclntable: try slice("pclntable"), ftab: try slice("ftab"),
            findfunctab: try word("findfunctab"), minpc: try word("minpc"), maxpc: try word("maxpc"),
            text: try word("text"), etext: try word("etext"),
            data: try word("data"), edata: try word("edata"), bss: try word("bss"), ebss: try word("ebss"),
            noptrdata: try word("noptrdata"), enoptrdata: try word("enoptrdata"),
            noptrbss: try word("noptrbss"), enoptrbss: try word("enoptrbss"),
            types: try word("types"), etypes: try word("etypes"),
            rodata: optionalWord("rodata") ?? 0, gofunc: optionalWord("gofunc") ?? 0,
            gcdatamask: try bitvector("gcdatamask"), gcbssmask: try bitvector("gcbssmask"),
            next: try word("next"))
    }

    /// True if the module's data+bss GC masks are present (they are built at start-up).
    public var hasRootMasks: Bool { gcdatamask.count > 0 || gcbssmask.count > 0 }
}
