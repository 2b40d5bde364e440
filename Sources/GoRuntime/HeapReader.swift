import CoreFile

/// Reads `runtime.mheap_` from the core: every in-use span with its allocated slots.
///
/// Spans whose descriptor does not make sense (unreadable, pages or sizes out of range, bitmap
/// unreadable) are skipped and counted in `warnings`, so a damaged core still yields the rest.
struct HeapReader {
    let process: GoProcess
    let layout: HeapLayout

    struct MSpanOffsets {
        var startAddr: UInt64, npages: UInt64, freeindex: UInt64, freeindexSize: UInt64
        var nelems: UInt64, nelemsSize: UInt64, freeIndexForScan: UInt64?, freeIndexForScanSize: UInt64
        var allocBits: UInt64, spanclass: UInt64, state: UInt64, elemsize: UInt64, limit: UInt64
        var specials: UInt64, largeType: UInt64?
    }

    static func offsets(_ p: GoProcess) throws -> MSpanOffsets {
        let l = try p.layout("runtime.mspan")
        let statePath = l.has("state.s.value") ? "state.s.value" : "state.s"
        func size(_ f: String) -> UInt64 { l.fieldType(f)?.size ?? 8 }
        return MSpanOffsets(
            startAddr: try l.require("startAddr"), npages: try l.require("npages"),
            freeindex: try l.require("freeindex"), freeindexSize: size("freeindex"),
            nelems: try l.require("nelems"), nelemsSize: size("nelems"),
            freeIndexForScan: l.offset(of: "freeIndexForScan"), freeIndexForScanSize: size("freeIndexForScan"),
            allocBits: try l.require("allocBits"), spanclass: try l.require("spanclass"),
            state: try l.require(statePath), elemsize: try l.require("elemsize"), limit: try l.require("limit"),
            specials: try l.require("specials"), largeType: l.offset(of: "largeType"))
    }

    /// All in-use spans with their allocation bitmaps; also returns how many descriptors were rejected.
    func readSpans() throws -> (spans: [(SpanInfo, [UInt64])], rejected: [String]) {
        let memory = process.memory
        let mheap = try process.requireAddress(of: "runtime.mheap_")
        let heapLayout = try process.layout("runtime.mheap")
        let allspans = mheap + (try heapLayout.require("allspans"))
        let pointer = try process.word(allspans, "runtime.mheap_.allspans")
        let count = try process.word(allspans + 8, "len(runtime.mheap_.allspans)")
        guard count < 1 << 32 else {
            throw RuntimeDecodeError.implausible("mheap_.allspans has \(count) entries")
        }
        let o = try HeapReader.offsets(process)
        var result: [(SpanInfo, [UInt64])] = []
        var rejected: [String] = []
        func readSized(_ address: UInt64, _ size: UInt64) -> UInt64? {
            switch size {
            case 2: return memory.u16(address).map(UInt64.init)
            case 4: return memory.u32(address).map(UInt64.init)
            default: return memory.u64(address)
            }
        }
        for i in 0..<count {
            guard let s = memory.u64(pointer + i * 8) else {
                rejected.append("allspans[\(i)] at 0x\(String(pointer + i * 8, radix: 16)) unreadable")
                continue
            }
            guard s != 0, let state = memory.u8(s &+ o.state) else { continue }
            guard state == 1 else { continue }  // mSpanInUse
            guard let base = memory.u64(s &+ o.startAddr), let npages = memory.u64(s &+ o.npages),
                  let nelems = readSized(s &+ o.nelems, o.nelemsSize),
                  let freeindex = readSized(s &+ o.freeindex, o.freeindexSize),
                  let allocBits = memory.u64(s &+ o.allocBits), let spanclass = memory.u8(s &+ o.spanclass),
                  let elemsize = memory.u64(s &+ o.elemsize), let limit = memory.u64(s &+ o.limit),
                  let specials = memory.u64(s &+ o.specials) else {
                rejected.append("span descriptor 0x\(String(s, radix: 16)) unreadable")
                continue
            }
            let freeScan = o.freeIndexForScan.flatMap { readSized(s &+ $0, o.freeIndexForScanSize) } ?? freeindex
            let largeType = o.largeType.flatMap { memory.u64(s &+ $0) } ?? 0
            let large = spanclass >> 1 == 0
            guard npages > 0, npages < 1 << 31, base % 8192 == 0, elemsize > 0,
                  nelems > 0, nelems <= npages * 8192 / 8, freeindex <= nelems,
                  large ? nelems == 1 : elemsize <= 32768,
                  elemsize * nelems <= npages * 8192 else {
                rejected.append("span 0x\(String(s, radix: 16)) has implausible fields (base 0x\(String(base, radix: 16)), \(npages) pages, \(nelems) elements of \(elemsize) bytes)")
                continue
            }
            let words = (Int(nelems) + 63) / 64
            var bits = [UInt64](repeating: 0, count: words)
            if let p = memory.pointer(at: allocBits, count: words * 8) {
                for w in 0..<words { bits[w] = p.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self) }
            } else if let bytes = try? memory.read(allocBits, count: (Int(nelems) + 7) / 8) {
                for (k, b) in bytes.enumerated() { bits[k / 8] |= UInt64(b) << UInt64((k % 8) * 8) }
            } else {
                rejected.append("span 0x\(String(s, radix: 16)): allocation bits at 0x\(String(allocBits, radix: 16)) unreadable")
                continue
            }
            // Slots below freeindex are allocated whatever allocBits says (mheap.go, mspan.freeindex).
            var k = 0
            while k < Int(freeindex) {
                if k % 64 == 0 && Int(freeindex) - k >= 64 { bits[k / 64] = ~0; k += 64; continue }
                bits[k / 64] |= 1 << UInt64(k % 64)
                k += 1
            }
            let objectLimit = large ? max(limit, base + 1) : base + nelems * elemsize
            let info = SpanInfo(descriptor: s, base: base, pages: UInt32(npages), nelems: UInt32(nelems),
                                elemSize: elemsize, spanClass: spanclass, limit: min(objectLimit, base + npages * 8192),
                                freeIndexForScan: UInt32(min(freeScan, nelems)), firstObject: 0, objectCount: 0,
                                allocWordStart: 0, specials: specials, largeType: largeType)
            result.append((info, bits))
        }
        return (result, rejected)
    }
}
