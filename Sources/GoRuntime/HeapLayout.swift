/// How the runtime of one Go version records which heap words are pointers.
public enum PointerMetadata: Sendable, Equatable {
    /// Go 1.19: two bits per word (pointer, scan) in `heapArena.bitmap`.
    case arenaBitmap2
    /// Go 1.20, 1.21 (and 1.22 built with noallocheaders): one bit per word in `heapArena.bitmap`.
    case arenaBitmap1
    /// Go 1.22+: heap bits at the end of small spans, 8-byte type headers in larger small objects,
    /// `mspan.largeType` for large ones.
    case allocationHeaders
}

/// Per-version facts about the heap that DWARF does not carry, with the runtime source they come from.
///
/// Invariant: derived once per process from the version, DWARF constants and the build's experiments;
/// `check(_:)` confirms them against the spans actually found.
public struct HeapLayout: Sendable {
    public var pointerMetadata: PointerMetadata
    /// Green Tea GC (1.25 experiment, 1.26+ default): 128 bytes of inline mark bits at the end of spans
    /// with 16 <= elemsize <= 512 (mgcmark_greenteagc.go, spanInlineMarkBits).
    public var greenTea: Bool
    /// mallocHeaderSize (mbitmap_allocheaders.go / internal/runtime/gc/malloc.go): 8.
    public var mallocHeaderSize: UInt64
    /// minSizeForMallocHeader: objects up to this size keep heap bits in the span (512).
    public var minSizeForMallocHeader: UInt64
    /// Special record kinds (mheap.go `_KindSpecial*`), renumbered in 1.23, 1.24 and 1.25.
    public var specialFinalizer: UInt8
    public var specialWeakHandle: UInt8?
    public var specialCleanup: UInt8?
    /// `special.offset` is uint16 before 1.24, uintptr from 1.24 (mheap.go `type special`).
    public var specialOffsetIs64: Bool
    /// TFlag 0x10 is GCMaskOnDemand from 1.24 (internal/abi/type.go); before, 0x10 meant UnrolledBitmap.
    public var gcMaskOnDemandFlag: Bool
    /// kind & 0x40 marks a GC program in GCData up to 1.23 (internal/abi/type.go KindGCProg).
    public var gcProgramKindFlag: Bool
    /// Kind_ carries flags (mask 0x1f, direct-iface 0x20) up to 1.25; 1.26+ stores the pure kind and
    /// moves direct-iface to TFlag 0x20 (internal/abi/type.go).
    public var kindMasked: Bool

    public static let pageSize: UInt64 = 8192
    public static let inlineMarkBitsSize: UInt64 = 128
    public static let tinySpanClass: UInt8 = 5

    init(process: GoProcess, heapArenaHasBitmap: Bool) {
        let v = process.version
        if !v.atLeast(20) {
            pointerMetadata = .arenaBitmap2
        } else if heapArenaHasBitmap {
            pointerMetadata = .arenaBitmap1
        } else {
            pointerMetadata = .allocationHeaders
        }
        greenTea = v.atLeast(25) && process.experimentEnabled("GreenTeaGC", defaultOn: v.atLeast(26))
        // Builds without allocation headers (1.22 noallocheaders) record 0 and -1 here.
        mallocHeaderSize = UInt64(clamping: process.constant("runtime.mallocHeaderSize")
            ?? process.constant("internal/runtime/gc.MallocHeaderSize") ?? 8)
        minSizeForMallocHeader = UInt64(clamping: process.constant("runtime.minSizeForMallocHeader")
            ?? process.constant("internal/runtime/gc.MinSizeForMallocHeader") ?? 512)
        func kind(_ name: String, _ fallback: UInt8?) -> UInt8? {
            process.constant("runtime._KindSpecial\(name)").map { UInt8(truncatingIfNeeded: $0) } ?? fallback
        }
        let m = v.minor
        specialFinalizer = kind("Finalizer", m >= 25 ? 2 : 1)!
        specialWeakHandle = kind("WeakHandle", m >= 25 ? 3 : (m >= 23 ? 2 : nil))
        specialCleanup = kind("Cleanup", m >= 25 ? 7 : (m >= 24 ? 6 : nil))
        specialOffsetIs64 = m >= 24
        gcMaskOnDemandFlag = m >= 24
        gcProgramKindFlag = m <= 23
        kindMasked = m <= 25
    }

    /// Slots that keep heap bits in the span rather than a header (heapBitsInSpan).
    public func heapBitsInSpan(_ elemSize: UInt64) -> Bool { elemSize <= minSizeForMallocHeader }

    /// Whether a span of this element size carries Green Tea's inline mark bits.
    public func hasInlineMarkBits(elemSize: UInt64, large: Bool) -> Bool {
        greenTea && !large && elemSize >= 16 && elemSize <= minSizeForMallocHeader
    }

    /// The address of the heap bitmap of a small scan span (allocation-header regime), or nil if the
    /// span's objects carry headers instead.
    public func heapBitsAddress(span: SpanInfo) -> UInt64? {
        guard pointerMetadata == .allocationHeaders, !span.isLarge, !span.noscan,
              heapBitsInSpan(span.elemSize) else { return nil }
        let spanBytes = UInt64(span.pages) * HeapLayout.pageSize
        var address = span.base + spanBytes - spanBytes / 64
        if hasInlineMarkBits(elemSize: span.elemSize, large: false) { address -= HeapLayout.inlineMarkBitsSize }
        return address
    }

    /// Whether objects of this span start with an 8-byte type header.
    public func hasMallocHeader(span: SpanInfo) -> Bool {
        pointerMetadata == .allocationHeaders && !span.isLarge && !span.noscan && !heapBitsInSpan(span.elemSize)
    }

    /// The object count the runtime gives a fresh small span (mheap.go initSpan), for checking the
    /// Green Tea guess against the heap.
    public func expectedElements(pages: UInt32, elemSize: UInt64, noscan: Bool, greenTea: Bool) -> UInt64 {
        var bytes = UInt64(pages) * HeapLayout.pageSize
        if pointerMetadata == .allocationHeaders {
            if !noscan && heapBitsInSpan(elemSize) { bytes -= bytes / 64 }
            if greenTea && elemSize >= 16 && heapBitsInSpan(elemSize) { bytes -= HeapLayout.inlineMarkBitsSize }
        }
        return bytes / elemSize
    }
}
