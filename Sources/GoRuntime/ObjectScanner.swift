import CoreFile

/// Finds the pointer words of heap objects, the way the runtime of the process's version records them.
///
/// `scan(span:slot:)` calls back with (offset from the slot, pointer value) for each non-zero pointer
/// word. Objects whose metadata cannot be read are reported through `failures`.
final class ObjectScanner: @unchecked Sendable {
    let memory: AddressSpace
    var reader: MemoryReader
    let layout: HeapLayout
    let types: RuntimeTypes
    let arenaBitmap: ArenaBitmap?
    private(set) var failures: [String] = []
    private var heapBitsCache: (span: Int, bits: UnsafeRawPointer?) = (-1, nil)

    init(process: GoProcess, layout: HeapLayout, types: RuntimeTypes) throws {
        memory = process.memory
        reader = MemoryReader(process.memory)
        self.layout = layout
        self.types = types
        switch layout.pointerMetadata {
        case .arenaBitmap2: arenaBitmap = try ArenaBitmap(process: process, twoBit: true)
        case .arenaBitmap1: arenaBitmap = try ArenaBitmap(process: process, twoBit: false)
        case .allocationHeaders: arenaBitmap = nil
        }
    }

    func fail(_ message: String) {
        if failures.count < 1000 { failures.append(message) }
    }

    /// The runtime type a 1.22+ object names itself by (header or largeType), or nil.
    func headerType(span: SpanInfo, slotBase: UInt64) -> UInt64? {
        guard layout.pointerMetadata == .allocationHeaders, !span.noscan else { return nil }
        if span.isLarge { return span.largeType == 0 ? nil : span.largeType }
        guard layout.hasMallocHeader(span: span), let t = memory.u64(slotBase), t != 0 else { return nil }
        return t
    }

    /// Where the object's data starts: after the malloc header for headered objects.
    func dataOffset(span: SpanInfo) -> UInt64 {
        layout.hasMallocHeader(span: span) ? layout.mallocHeaderSize : 0
    }

    /// Calls `body(i)` for every set bit `first + i` (`i < count`) of the bitmap at `bits` (a span's
    /// heap bits: one bit per word of the span, set for pointer words).
    @inline(__always)
    static func forEachSetBit(_ bits: UnsafeRawPointer, from first: Int, count: Int, _ body: (Int) -> Void) {
        var i = 0
        while i < count {
            let bitIndex = first + i
            let shift = bitIndex & 63
            let n = min(64 - shift, count - i)
            var w = bits.loadUnaligned(fromByteOffset: (bitIndex >> 6) * 8, as: UInt64.self) >> UInt64(shift)
            if n < 64 { w &= (1 << UInt64(n)) - 1 }
            while w != 0 {
                body(i + w.trailingZeroBitCount)
                w &= w - 1
            }
            i += n
        }
    }

    /// Calls `body(offsetFromSlot, value)` for every non-zero pointer word of the object in `slot`.
    func scan(spanIndex: Int, span: SpanInfo, slot: Int, _ body: (UInt64, UInt64) -> Void) {
        guard !span.noscan else { return }
        let slotBase = span.base + UInt64(slot) * span.elemSize
        let size = span.isLarge ? span.limit - span.base : span.elemSize
        guard let object = reader.pointer(at: slotBase, count: Int(size)) else {
            fail("object at 0x\(String(slotBase, radix: 16)) (\(size) bytes) is not in the core")
            return
        }
        @inline(__always) func emit(_ wordIndex: Int) {
            let value = object.loadUnaligned(fromByteOffset: wordIndex * 8, as: UInt64.self)
            if value != 0 { body(UInt64(wordIndex) * 8, value) }
        }
        switch layout.pointerMetadata {
        case .arenaBitmap1, .arenaBitmap2:
            if !arenaBitmap!.forEachPointerWord(base: slotBase, size: size, emit) {
                fail("heap bitmap for 0x\(String(slotBase, radix: 16)) is not in the core")
            }
        case .allocationHeaders:
            if let bitsAddress = layout.heapBitsAddress(span: span) {
                if heapBitsCache.span != spanIndex {
                    heapBitsCache = (spanIndex, memory.pointer(at: bitsAddress, count: Int(UInt64(span.pages) * 8192 / 64)))
                }
                guard let bits = heapBitsCache.bits else {
                    fail("heap bits of span 0x\(String(span.base, radix: 16)) are not in the core")
                    return
                }
                ObjectScanner.forEachSetBit(bits, from: Int((slotBase - span.base) / 8), count: Int(span.elemSize / 8), emit)
            } else {
                guard let typeAddress = headerType(span: span, slotBase: slotBase) else { return }
                guard let t = types.type(at: typeAddress) else {
                    fail("object at 0x\(String(slotBase, radix: 16)) names a type at 0x\(String(typeAddress, radix: 16)) that does not decode")
                    return
                }
                guard t.hasPointers, t.size > 0 else { return }
                let start = dataOffset(span: span)
                let end = size
                var elementStart = start
                let pointerWords = Int(t.ptrBytes / 8)
                while elementStart < end {
                    let firstWord = Int(elementStart / 8)
                    for (w, maskWord) in t.pointerMask.enumerated() {
                        var m = maskWord
                        while m != 0 {
                            let k = w * 64 + m.trailingZeroBitCount
                            m &= m - 1
                            if k >= pointerWords { break }
                            let idx = firstWord + k
                            if UInt64(idx) * 8 + 8 <= end { emit(idx) }
                        }
                    }
                    elementStart += t.size
                }
            }
        }
    }
}
