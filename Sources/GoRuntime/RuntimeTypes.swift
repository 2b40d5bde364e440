import CoreFile

/// A runtime type descriptor (`abi.Type` / `runtime._type`) decoded from memory.
///
/// Invariant: only descriptors that pass `RuntimeTypes.validate` are made; `kind` is the pure kind
/// (flags stripped), `pointerMask` bit i says word i of a value may hold a pointer (i < ptrBytes/8).
public struct RuntimeType: Sendable {
    public var address: UInt64
    public var size: UInt64
    public var ptrBytes: UInt64
    public var kind: UInt8
    public var tflag: UInt8
    public var gcdata: UInt64
    public var nameOffset: Int32
    public var directIface: Bool
    public var pointerMask: [UInt64]

    public var hasPointers: Bool { ptrBytes != 0 }

    @inlinable
    public func isPointerWord(_ i: Int) -> Bool {
        let w = i >> 6
        return w < pointerMask.count && (pointerMask[w] >> UInt64(i & 63)) & 1 != 0
    }
}

/// Decodes and caches runtime type descriptors: their sizes, pointer masks (plain, GC programs before
/// 1.24, masks built on demand from 1.24) and names.
///
/// Not thread-safe: one instance per thread, or fill it before sharing.
public final class RuntimeTypes: @unchecked Sendable {
    let memory: AddressSpace
    let layout: HeapLayout
    let modules: [ModuleData]
    let inProgressAddress: UInt64?
    private var cache: [UInt64: RuntimeType?] = [:]
    private var names: [UInt64: String] = [:]
    public private(set) var rejected: [UInt64] = []

    init(process: GoProcess, layout: HeapLayout) {
        memory = process.memory
        self.layout = layout
        modules = process.modules
        inProgressAddress = process.address(of: "runtime.inProgress")
    }

    static let headerSize = 48
    static let kindArray: UInt8 = 17
    static let kindStruct: UInt8 = 25

    /// The descriptor at `address`, or nil if it does not look like one (the address is remembered in
    /// `rejected` for warnings).
    public func type(at address: UInt64) -> RuntimeType? {
        if let cached = cache[address] { return cached }
        let t = decode(address, depth: 0)
        cache[address] = t
        if t == nil { rejected.append(address) }
        return t
    }

    private func decode(_ address: UInt64, depth: Int) -> RuntimeType? {
        guard address != 0, address % 8 == 0, depth < 32,
              let p = memory.pointer(at: address, count: RuntimeTypes.headerSize) else { return nil }
        let size = p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let ptrBytes = p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let tflag = p.load(fromByteOffset: 20, as: UInt8.self)
        let rawKind = p.load(fromByteOffset: 23, as: UInt8.self)
        let gcdata = p.loadUnaligned(fromByteOffset: 32, as: UInt64.self)
        let str = p.loadUnaligned(fromByteOffset: 40, as: Int32.self)
        let kind = layout.kindMasked ? rawKind & 0x1f : rawKind
        // Go 1.22/1.23 give large objects whose type has a GC program a nameless stand-in type (kind 0,
        // TFlagUnrolledBitmap) with the program already run into a plain mask (mbitmap_allocheaders.go).
        let unrolledStandIn = layout.pointerMetadata == .allocationHeaders && !layout.gcMaskOnDemandFlag
            && rawKind == 0 && tflag & 0x10 != 0
        guard (kind >= 1 && kind <= 26) || unrolledStandIn, size < 1 << 40, ptrBytes <= size, ptrBytes % 8 == 0 else {
            return nil
        }
        let direct = layout.kindMasked ? rawKind & 0x20 != 0 : tflag & 0x20 != 0
        var t = RuntimeType(address: address, size: size, ptrBytes: ptrBytes, kind: kind, tflag: tflag,
                            gcdata: gcdata, nameOffset: str, directIface: direct, pointerMask: [])
        if ptrBytes > 0 {
            guard let mask = pointerMask(t, rawKind: rawKind, depth: depth) else { return nil }
            t.pointerMask = mask
        }
        return t
    }

    private func pointerMask(_ t: RuntimeType, rawKind: UInt8, depth: Int) -> [UInt64]? {
        let words = Int(t.ptrBytes / 8)
        if layout.gcProgramKindFlag && rawKind & 0x40 != 0 {
            return GCProgram.run(memory: memory, program: t.gcdata + 4, words: words)
        }
        var maskAddress = t.gcdata
        if layout.gcMaskOnDemandFlag && t.tflag & 0x10 != 0 {
            // GCData points at a slot that holds the mask once the runtime has built it (type.go getGCMask).
            guard let slot = memory.u64(t.gcdata) else { return nil }
            if slot == 0 || slot == inProgressAddress {
                return buildMask(t, depth: depth)
            }
            maskAddress = slot
        }
        return RuntimeTypes.readMask(memory: memory, at: maskAddress, words: words)
    }

    static func readMask(memory: AddressSpace, at address: UInt64, words: Int) -> [UInt64]? {
        let bytes = (words + 7) / 8
        guard let data = try? memory.read(address, count: bytes) else { return nil }
        var mask = [UInt64](repeating: 0, count: (words + 63) / 64)
        for (i, b) in data.enumerated() { mask[i / 8] |= UInt64(b) << UInt64((i % 8) * 8) }
        if words % 64 != 0 { mask[mask.count - 1] &= (1 << UInt64(words % 64)) - 1 }
        return mask
    }

    /// Builds a pointer mask from the type's structure, as the runtime's buildGCMask does (type.go).
    private func buildMask(_ t: RuntimeType, depth: Int) -> [UInt64]? {
        var mask = [UInt64](repeating: 0, count: (Int(t.ptrBytes / 8) + 63) / 64)
        func set(_ word: Int) { if word >> 6 < mask.count { mask[word >> 6] |= 1 << UInt64(word & 63) } }
        switch t.kind {
        case RuntimeTypes.kindArray:
            guard let elemAddress = memory.u64(t.address + 48), let length = memory.u64(t.address + 64),
                  let elem = decode(elemAddress, depth: depth + 1) else { return nil }
            let stride = Int(elem.size / 8)
            let limit = Int(t.ptrBytes / 8)
            var base = 0
            for _ in 0..<Int(min(length, 1 << 32)) {
                if base >= limit { break }
                for i in 0..<Int(elem.ptrBytes / 8) where elem.isPointerWord(i) { set(base + i) }
                base += stride
            }
        case RuntimeTypes.kindStruct:
            guard let fields = memory.u64(t.address + 56), let count = memory.u64(t.address + 64),
                  count < 1 << 20 else { return nil }
            for f in 0..<count {
                guard let ft = memory.u64(fields + f * 24 + 8), let off = memory.u64(fields + f * 24 + 16),
                      let field = decode(ft, depth: depth + 1) else { return nil }
                for i in 0..<Int(field.ptrBytes / 8) where field.isPointerWord(i) { set(Int(off / 8) + i) }
            }
        default:
            return nil
        }
        return mask
    }

    /// The type's name as the runtime writes it (`main.Block`, `*http.Request`), or nil.
    public func name(of t: RuntimeType) -> String? {
        if let n = names[t.address] { return n }
        guard let module = modules.first(where: { $0.types <= t.address && t.address < $0.etypes }) ?? modules.first,
              t.nameOffset > 0 else { return nil }
        let address = module.types &+ UInt64(t.nameOffset)
        guard let header = try? memory.read(address, count: 11) else { return nil }
        var length = 0, shift = 0, i = 1
        while i < header.count {
            let b = header[i]; i += 1
            length |= Int(b & 0x7f) << shift
            if b & 0x80 == 0 { break }
            shift += 7
        }
        guard length > 0, length < 1 << 16, let bytes = try? memory.read(address + UInt64(i), count: length) else {
            return nil
        }
        var name = String(decoding: bytes, as: UTF8.self)
        if t.tflag & 0x02 != 0, name.hasPrefix("*") { name.removeFirst() }  // TFlagExtraStar
        names[t.address] = name
        return name
    }

    /// The descriptor's offset from its module's `types` base (what DWARF's go_runtime_type holds).
    public func moduleOffset(of address: UInt64) -> UInt64? {
        guard let m = modules.first(where: { $0.types <= address && address < $0.etypes }) else { return nil }
        return address - m.types
    }

    /// Elem of pointer, slice, array, chan and map types (offset 48 in every version).
    public func elem(of t: RuntimeType) -> UInt64? {
        switch t.kind {
        case 17, 18, 21, 22, 23: return memory.u64(t.address + 48)
        default: return nil
        }
    }
}

/// Runs a GC program (Go <= 1.23, types with KindGCProg): a bit-emitting byte code
/// (mbitmap.go runGCProg): 0x00 stop; 0nnnnnnn emit n literal bits; 1nnnnnnn c / 10000000 n c repeat.
enum GCProgram {
    static func run(memory: AddressSpace, program: UInt64, words: Int) -> [UInt64]? {
        var mask = [UInt64](repeating: 0, count: (words + 63) / 64)
        var out = 0  // bits written
        var p = program
        func byte() -> UInt8? {
            defer { p += 1 }
            return memory.u8(p)
        }
        func varint() -> Int? {
            var v = 0, shift = 0
            while let b = byte() {
                v |= Int(b & 0x7f) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
                if shift > 56 { return nil }
            }
            return nil
        }
        func bit(_ i: Int) -> Bool { (mask[i >> 6] >> UInt64(i & 63)) & 1 != 0 }
        func emit(_ b: Bool) {
            if out < words, b { mask[out >> 6] |= 1 << UInt64(out & 63) }
            out += 1
        }
        var steps = 0
        while out < words, steps < 1 << 24 {
            steps += 1
            guard let op = byte() else { return nil }
            if op == 0 { break }
            if op & 0x80 == 0 {
                let n = Int(op)
                var remaining = n
                while remaining > 0 {
                    guard let b = byte() else { return nil }
                    for k in 0..<min(8, remaining) { emit((b >> UInt8(k)) & 1 != 0) }
                    remaining -= 8
                }
            } else {
                var n = Int(op & 0x7f)
                if n == 0 { guard let v = varint() else { return nil }; n = v }
                guard let c = varint(), n > 0, n <= out else { return nil }
                let start = out - n
                for _ in 0..<c {
                    for k in 0..<n {
                        if out >= words { break }
                        emit(bit(start + k))
                    }
                    if out >= words { break }
                }
            }
        }
        return mask
    }
}
