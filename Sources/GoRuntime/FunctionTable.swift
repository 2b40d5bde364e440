import CoreFile

/// A function's entry in the pclntab (`runtime._func`), decoded.
///
/// Invariant: `record` is the address of the `_func` record; `pcdata` and `funcdata` offsets follow its
/// fixed header (`FunctionTable.headerSize` bytes) as `npcdata` and `nfuncdata` uint32s.
public struct FunctionInfo: Sendable, Hashable {
    public var entry: UInt64
    public var end: UInt64
    public var record: UInt64
    public var name: String
    /// Size of the stack arguments and spill area; `FunctionTable.argsSizeUnknown` for some stubs.
    public var args: Int32
    public var deferreturn: UInt32
    public var pcsp: UInt32
    public var pcfile: UInt32
    public var pcln: UInt32
    public var npcdata: UInt32
    public var cuOffset: UInt32
    public var funcID: UInt8
    public var flag: UInt8
    public var nfuncdata: UInt8

    /// abi.FuncFlag bits.
    public var isTopFrame: Bool { flag & 1 != 0 }
    public var writesSP: Bool { flag & 2 != 0 }
    public var isAssembly: Bool { flag & 4 != 0 }
}

/// The pclntab of a module: PC -> function, PC-value tables (SP delta, file, line, stack map index),
/// funcdata (stack maps, stack objects), as the runtime's symtab.go reads them.
///
/// Reads go through the address space (the table is usually absent from kernel cores and comes from
/// the executable). Invariant: `entries` are the functab's (entry offset, func offset) pairs, sorted.
public final class FunctionTable: @unchecked Sendable {
    let memory: AddressSpace
    public let module: ModuleData
    let headerSize: UInt64
    let offsets: FuncOffsets
    private let entryOffsets: [UInt32]
    private let funcOffsets: [UInt32]
    private var cache: [UInt64: FunctionInfo] = [:]

    public static let argsSizeUnknown: Int32 = -0x8000_0000

    struct FuncOffsets {
        var entry: UInt64, name: UInt64, args: UInt64, deferreturn: UInt64, pcsp: UInt64, pcfile: UInt64
        var pcln: UInt64, npcdata: UInt64, cuOffset: UInt64, funcID: UInt64, flag: UInt64, nfuncdata: UInt64
    }

    /// PCDATA and FUNCDATA table indices (internal/abi/symtab.go), the same in every supported version.
    public enum PCData { public static let unsafePoint = 0, stackMapIndex = 1, inlTreeIndex = 2 }
    public enum FuncData { public static let argsPointerMaps = 0, localsPointerMaps = 1, stackObjects = 2, inlTree = 3 }

    init(process: GoProcess, module: ModuleData) throws {
        memory = process.memory
        self.module = module
        let l = try process.layout("runtime._func")
        headerSize = l.size
        func o(_ a: String, _ b: String? = nil) throws -> UInt64 {
            if let x = l.offset(of: a) { return x }
            if let b, let x = l.offset(of: b) { return x }
            throw RuntimeDecodeError.missingField("runtime._func", a)
        }
        offsets = FuncOffsets(entry: try o("entryOff", "entryoff"), name: try o("nameOff", "nameoff"),
                              args: try o("args"), deferreturn: try o("deferreturn"), pcsp: try o("pcsp"),
                              pcfile: try o("pcfile"), pcln: try o("pcln"), npcdata: try o("npcdata"),
                              cuOffset: try o("cuOffset"), funcID: try o("funcID"), flag: try o("flag"),
                              nfuncdata: try o("nfuncdata"))
        // functab: nfunc+1 pairs of uint32 (entryoff from text, funcoff from pclntable).
        let count = Int(min(module.ftab.length, 1 << 32))
        guard count > 0, count < 1 << 26,
              let raw = try? memory.read(module.ftab.pointer, count: count * 8) else {
            throw RuntimeDecodeError.unreadable("the function table (moduledata.ftab)", module.ftab.pointer)
        }
        var entries = [UInt32](repeating: 0, count: count)
        var funcs = [UInt32](repeating: 0, count: count)
        raw.withUnsafeBytes { b in
            for i in 0..<count {
                entries[i] = b.loadUnaligned(fromByteOffset: i * 8, as: UInt32.self)
                funcs[i] = b.loadUnaligned(fromByteOffset: i * 8 + 4, as: UInt32.self)
            }
        }
        entryOffsets = entries
        funcOffsets = funcs
    }

    /// The function containing `pc`, or nil if `pc` is not in this module's Go code.
    public func function(at pc: UInt64) -> FunctionInfo? {
        guard pc >= module.minpc, pc < module.maxpc, entryOffsets.count >= 2 else { return nil }
        let off = UInt32(truncatingIfNeeded: pc &- module.text)
        var lo = 0, hi = entryOffsets.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if entryOffsets[mid] <= off { lo = mid + 1 } else { hi = mid }
        }
        let i = lo - 1
        guard i >= 0, i < entryOffsets.count - 1 else { return nil }
        let record = module.pclntable.pointer &+ UInt64(funcOffsets[i])
        if let f = cache[record] { return f }
        guard var f = decode(record: record) else { return nil }
        f.end = module.text &+ UInt64(entryOffsets[i + 1])
        cache[record] = f
        return f
    }

    private func decode(record r: UInt64) -> FunctionInfo? {
        guard let header = try? memory.read(r, count: Int(headerSize)) else { return nil }
        func u32(_ o: UInt64) -> UInt32 { header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: Int(o), as: UInt32.self) } }
        func u8(_ o: UInt64) -> UInt8 { header[Int(o)] }
        let nameOff = u32(offsets.name)
        let name = cString(module.funcnametab.pointer &+ UInt64(nameOff)) ?? "?"
        return FunctionInfo(entry: module.text &+ UInt64(u32(offsets.entry)), end: 0, record: r, name: name,
                            args: Int32(bitPattern: u32(offsets.args)), deferreturn: u32(offsets.deferreturn),
                            pcsp: u32(offsets.pcsp), pcfile: u32(offsets.pcfile), pcln: u32(offsets.pcln),
                            npcdata: u32(offsets.npcdata), cuOffset: u32(offsets.cuOffset),
                            funcID: u8(offsets.funcID), flag: u8(offsets.flag), nfuncdata: u8(offsets.nfuncdata))
    }

    func cString(_ address: UInt64, limit: Int = 4096) -> String? {
        var bytes: [UInt8] = []
        var a = address
        while bytes.count < limit {
            guard let p = memory.pointer(at: a, count: 1) else { return nil }
            // Read a run without crossing the region end.
            let available = memory.region(of: a).map { Int(min(UInt64(256), $0.end - a)) } ?? 1
            let chunk = UnsafeRawBufferPointer(start: p, count: available)
            if let z = chunk.firstIndex(of: 0) {
                bytes.append(contentsOf: chunk[..<z])
                return String(decoding: bytes, as: UTF8.self)
            }
            bytes.append(contentsOf: chunk)
            a += UInt64(available)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value of a pc-value table at `pc` (symtab.go pcvalue): zig-zag value deltas and pc deltas,
    /// each value holding up to its pc. Nil if the table has no entry for `pc` (the runtime's -1).
    public func pcValue(table offset: UInt32, entry: UInt64, pc target: UInt64) -> Int32? {
        guard offset != 0 else { return nil }
        var p = module.pctab.pointer &+ UInt64(offset)
        let end = module.pctab.pointer &+ module.pctab.length
        var pc = entry
        var value: Int32 = -1
        var first = true
        func uvarint() -> UInt32? {
            var v: UInt32 = 0, shift: UInt32 = 0
            while p < end {
                guard let b = memory.u8(p) else { return nil }
                p += 1
                v |= UInt32(b & 0x7f) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
                if shift > 28 { return nil }
            }
            return nil
        }
        while true {
            guard let uv = uvarint() else { return nil }
            if uv == 0 && !first { return nil }
            let delta = Int32(bitPattern: (uv & 1) != 0 ? ~(uv >> 1) : uv >> 1)
            value &+= delta
            guard let pcDelta = uvarint() else { return nil }
            pc += UInt64(pcDelta)
            if target < pc { return value }
            first = false
        }
    }

    /// The SP delta at `pc`: the frame size so far (pcsp table).
    public func spDelta(_ f: FunctionInfo, pc: UInt64) -> Int32? { pcValue(table: f.pcsp, entry: f.entry, pc: pc) }

    /// The pcdata table `index` of `f` at `pc`, or nil (-1 in the runtime) if absent.
    public func pcdata(_ f: FunctionInfo, _ index: Int, pc: UInt64) -> Int32? {
        guard index < Int(f.npcdata), let off = memory.u32(f.record &+ headerSize &+ UInt64(index) * 4) else { return nil }
        return pcValue(table: off, entry: f.entry, pc: pc)
    }

    /// The address of funcdata `index` of `f`, or nil if absent.
    public func funcdata(_ f: FunctionInfo, _ index: Int) -> UInt64? {
        guard index < Int(f.nfuncdata) else { return nil }
        let at = f.record &+ headerSize &+ UInt64(f.npcdata) * 4 &+ UInt64(index) * 4
        guard let off = memory.u32(at), off != UInt32.max else { return nil }
        return module.gofunc &+ UInt64(off)
    }

    /// Source file and line of `pc` in `f`.
    public func fileLine(_ f: FunctionInfo, pc: UInt64) -> (file: String, line: Int)? {
        guard let fileIndex = pcValue(table: f.pcfile, entry: f.entry, pc: pc), fileIndex >= 0,
              let line = pcValue(table: f.pcln, entry: f.entry, pc: pc),
              let fileOff = memory.u32(module.cutab.pointer &+ (UInt64(f.cuOffset) + UInt64(fileIndex)) * 4),
              fileOff != UInt32.max, let file = cString(module.filetab.pointer &+ UInt64(fileOff)) else { return nil }
        return (file, Int(line))
    }
}

extension FunctionTable {
    /// One source-level frame: a function (possibly inlined into the physical one) and where it is.
    public struct SourceFrame: Sendable {
        public var function: String
        public var file: String
        public var line: Int
        public var inlined: Bool
    }

    /// The frames at `pc` in `f`, innermost first, expanding inlined calls with the inline tree
    /// (FUNCDATA_InlTree, PCDATA_InlTreeIndex; symtabinl.go).
    public func sourceFrames(_ f: FunctionInfo, pc: UInt64, version: GoVersion) -> [SourceFrame] {
        var frames: [SourceFrame] = []
        var pc = pc
        let tree = funcdata(f, FuncData.inlTree)
        let oldLayout = !version.atLeast(20)
        let recordSize: UInt64 = oldLayout ? 20 : 16
        var steps = 0
        while let tree, let ix = pcdata(f, PCData.inlTreeIndex, pc: pc), ix >= 0, steps < 64 {
            steps += 1
            let r = tree &+ UInt64(ix) * recordSize
            let nameOff = memory.u32(r &+ (oldLayout ? 12 : 4)).map { Int32(bitPattern: $0) } ?? 0
            let parentPC = memory.u32(r &+ (oldLayout ? 16 : 8)).map { Int32(bitPattern: $0) } ?? 0
            let name = cString(module.funcnametab.pointer &+ UInt64(max(nameOff, 0))) ?? "?"
            let fl = fileLine(f, pc: pc)
            frames.append(SourceFrame(function: name, file: fl?.file ?? "?", line: fl?.line ?? 0, inlined: true))
            pc = f.entry &+ UInt64(max(parentPC, 0))
        }
        let fl = fileLine(f, pc: pc)
        frames.append(SourceFrame(function: f.name, file: fl?.file ?? "?", line: fl?.line ?? 0, inlined: false))
        return frames
    }
}
