import HeapGraph
import CPrefetch
/// One in-use heap span (`mSpanInUse`), with what the heap walk needs of it.
///
/// Invariants: objects live in slots `base + i*elemSize` for `i < nelems`; a large span has `nelems == 1`
/// and `sizeClass == 0`; `firstObject` is the dense id of the span's first allocated slot and
/// `objectCount` how many slots are allocated. Allocated slots are given by the span's words in
/// `SpanTable.alloc` starting at `allocWordStart`.
public struct SpanInfo: Sendable {
    /// Address of the `runtime.mspan` describing this span.
    public var descriptor: UInt64
    public var base: UInt64
    public var pages: UInt32
    public var nelems: UInt32
    public var elemSize: UInt64
    public var spanClass: UInt8
    /// Exclusive end of the object area (`base + nelems*elemSize`, or `mspan.limit` for large objects).
    public var limit: UInt64
    public var freeIndexForScan: UInt32
    public var firstObject: UInt32
    public var objectCount: UInt32
    public var allocWordStart: UInt32
    public var specials: UInt64
    /// The `*_type` of a large object (1.22+); 0 otherwise.
    public var largeType: UInt64

    public var sizeClass: UInt8 { spanClass >> 1 }
    public var noscan: Bool { spanClass & 1 != 0 }
    public var isLarge: Bool { sizeClass == 0 }
    public var end: UInt64 { base + UInt64(pages) * 8192 }
    /// Bytes the runtime counts in HeapAlloc per allocated slot.
    public var accountedSlotSize: UInt64 { isLarge ? UInt64(pages) * 8192 : elemSize }
}

/// One word of a span's allocation bitmap (bit i = slot i allocated) with the count of allocated slots
/// before it in the span: bitmap and rank together, so finding an object's id costs one cache line.
public struct AllocWord: Sendable, BitwiseCopyable {
    public var bits: UInt64
    public var rank: UInt32
}

/// The fields of a span that every address lookup needs, packed into 32 bytes.
public struct HotSpan: Sendable, BitwiseCopyable {
    public var base: UInt64
    public var limit: UInt64
    public var elemSize: UInt32
    public var firstObject: UInt32
    public var allocWordStart: UInt32
    public var isLarge: Bool
    public var noscan: Bool
    public var tiny: Bool
    public var header: Bool
}

/// Every in-use heap span sorted by address, with an address-to-span index and the allocated slots of
/// each span, so that objects get dense ids in address order.
///
/// Invariants: `spans` are sorted by `base` and do not overlap; `hot[i]` packs the lookup fields of
/// `spans[i]`; object ids are consecutive in span order and within a span in slot order;
/// `alloc[w].rank` is the number of allocated slots in the span before its word `w`.
public struct SpanTable: Sendable {
    public private(set) var spans: [SpanInfo]
    public private(set) var hot: [HotSpan]
    /// Concatenated allocation bitmaps with ranks.
    public private(set) var alloc: [AllocWord]
    public let objectCount: Int
    let pageIndex: PageIndex
    /// Per span, one past its last object id (non-decreasing): a compact array to search by id.
    private let objectEnds: [UInt32]

    /// `hasHeader(span)`: whether the span's objects start with a malloc header (from the heap layout).
    public init(spans unsorted: [(SpanInfo, [UInt64])], hasHeader: (SpanInfo) -> Bool = { _ in false }) {
        let sorted = unsorted.sorted { $0.0.base < $1.0.base }
        var spans: [SpanInfo] = []
        spans.reserveCapacity(sorted.count)
        var words: [AllocWord] = .hugePaged(capacity: sorted.reduce(0) { $0 + (Int($1.0.nelems) + 63) / 64 })
        var next: UInt32 = 0
        for (var span, bits) in sorted {
            span.allocWordStart = UInt32(words.count)
            span.firstObject = next
            var count: UInt32 = 0
            let needed = (Int(span.nelems) + 63) / 64
            for w in 0..<needed {
                var word = w < bits.count ? bits[w] : 0
                if w == needed - 1, span.nelems % 64 != 0 { word &= (1 << (UInt64(span.nelems) % 64)) - 1 }
                words.append(AllocWord(bits: word, rank: count))
                count += UInt32(word.nonzeroBitCount)
            }
            span.objectCount = count
            next += count
            spans.append(span)
        }
        self.spans = spans
        self.alloc = words
        var hot: [HotSpan] = .hugePaged(capacity: spans.count)
        for s in spans {
            hot.append(HotSpan(base: s.base, limit: s.limit, elemSize: UInt32(truncatingIfNeeded: s.elemSize),
                               firstObject: s.firstObject, allocWordStart: s.allocWordStart, isLarge: s.isLarge,
                               noscan: s.noscan, tiny: s.spanClass == HeapLayout.tinySpanClass, header: hasHeader(s)))
        }
        self.hot = hot
        self.objectCount = Int(next)
        self.pageIndex = PageIndex(spans: spans)
        self.objectEnds = spans.map { $0.firstObject + $0.objectCount }
    }

    /// The index of the in-use span whose pages hold `address`, or nil.
    @inlinable
    public func spanIndex(of address: UInt64) -> Int? {
        pageIndexLookup(address)
    }

    @usableFromInline
    func pageIndexLookup(_ address: UInt64) -> Int? { pageIndex.span(of: address) }

    /// Where an address is in the heap: its span, slot, object id and slot start. Nil unless the
    /// address is inside an allocated slot of an in-use span.
    @inlinable
    public func locate(_ address: UInt64) -> ObjectLocation? {
        guard let s = spanIndex(of: address) else { return nil }
        let span = hot[s]
        guard address >= span.base, address < span.limit else { return nil }
        let slot = span.isLarge ? 0 : Int((address &- span.base) / UInt64(span.elemSize))
        let w = alloc[Int(span.allocWordStart) + slot >> 6]
        let bit = UInt64(slot & 63)
        guard (w.bits >> bit) & 1 != 0 else { return nil }
        let id = span.firstObject + w.rank + UInt32((w.bits & ((1 << bit) &- 1)).nonzeroBitCount)
        return ObjectLocation(span: s, slot: slot, id: id, slotBase: span.base &+ UInt64(slot) &* UInt64(span.elemSize))
    }

    /// The dense id of the allocated object whose slot contains `address`, or nil (not in the heap, past
    /// the span's objects, or a free slot).
    @inlinable
    public func objectID(containing address: UInt64) -> UInt32? {
        guard let s = spanIndex(of: address) else { return nil }
        return objectID(containing: address, span: s)
    }

    @inlinable
    public func objectID(containing address: UInt64, span s: Int) -> UInt32? {
        let span = hot[s]
        guard address >= span.base, address < span.limit else { return nil }
        let slot = span.isLarge ? 0 : (address &- span.base) / UInt64(span.elemSize)
        return objectID(slot: Int(slot), span: s)
    }

    @inlinable
    public func objectID(slot: Int, span s: Int) -> UInt32? {
        let span = hot[s]
        let w = alloc[Int(span.allocWordStart) + slot >> 6]
        let bit = UInt64(slot & 63)
        guard (w.bits >> bit) & 1 != 0 else { return nil }
        return span.firstObject + w.rank + UInt32((w.bits & ((1 << bit) &- 1)).nonzeroBitCount)
    }

    public func isAllocated(slot: Int, span s: Int) -> Bool {
        (alloc[Int(hot[s].allocWordStart) + slot >> 6].bits >> UInt64(slot & 63)) & 1 != 0
    }

    /// The span holding object `id` (binary search over first ids).
    public func span(ofObject id: UInt32) -> Int {
        objectEnds.withUnsafeBufferPointer { ends in
            var lo = 0, hi = ends.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if ends[mid] <= id { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    /// The slot index of object `id` within span `s`.
    public func slot(ofObject id: UInt32, span s: Int) -> Int {
        let span = spans[s]
        var remaining = Int(id - span.firstObject)
        let words = (Int(span.nelems) + 63) / 64
        for w in 0..<words {
            let word = alloc[Int(span.allocWordStart) + w].bits
            let n = word.nonzeroBitCount
            if remaining < n {
                var x = word
                for _ in 0..<remaining { x &= x - 1 }
                return w * 64 + x.trailingZeroBitCount
            }
            remaining -= n
        }
        return 0
    }

    /// The slot address of object `id`.
    public func slotAddress(ofObject id: UInt32) -> UInt64 {
        let s = span(ofObject: id)
        let span = spans[s]
        return span.base + UInt64(slot(ofObject: id, span: s)) * span.elemSize
    }

    /// Calls `body(slot, id)` for every allocated slot of span `s`, in order.
    @inlinable
    public func forEachObject(inSpan s: Int, _ body: (Int, UInt32) -> Void) {
        let span = spans[s]
        var id = span.firstObject
        let words = (Int(span.nelems) + 63) / 64
        for w in 0..<words {
            var word = alloc[Int(span.allocWordStart) + w].bits
            while word != 0 {
                let bit = word.trailingZeroBitCount
                body(w * 64 + bit, id)
                id += 1
                word &= word - 1
            }
        }
    }
}

/// An allocated object found from an address inside it.
public struct ObjectLocation: Sendable {
    public var span: Int
    public var slot: Int
    public var id: UInt32
    public var slotBase: UInt64

    @inlinable
    public init(span: Int, slot: Int, id: UInt32, slotBase: UInt64) {
        self.span = span
        self.slot = slot
        self.id = id
        self.slotBase = slotBase
    }
}

/// Address -> span index over 8 KiB pages, built from the in-use spans: a table per 64 MiB arena.
struct PageIndex: Sendable {
    static let arenaShift: UInt64 = 26
    static let pageShift: UInt64 = 13
    static let pagesPerArena = 8192

    private var arenaKeys: [UInt64] = []      // sorted arena numbers (address >> 26)
    private var tables: [[UInt32]] = []       // per arena: span index + 1 per page (0 = none)
    /// Page -> span index + 1 for every page from `firstPage`, when the heap's pages span a small
    /// enough range (the common case); empty otherwise.
    private var direct: [UInt32] = []
    private var firstPage: UInt64 = 0

    init(spans: [SpanInfo]) {
        var byArena: [UInt64: [UInt32]] = [:]
        for (i, s) in spans.enumerated() {
            var page = s.base >> PageIndex.pageShift
            let endPage = (s.base + UInt64(s.pages) * 8192 - 1) >> PageIndex.pageShift
            while page <= endPage {
                let arena = page >> (PageIndex.arenaShift - PageIndex.pageShift)
                let slot = Int(page & UInt64(PageIndex.pagesPerArena - 1))
                byArena[arena, default: [UInt32](repeating: 0, count: PageIndex.pagesPerArena)][slot] = UInt32(i + 1)
                page += 1
            }
        }
        arenaKeys = byArena.keys.sorted()
        tables = arenaKeys.map { byArena[$0]! }
        // One flat table over all pages when the arenas lie within 64 GiB of each other.
        if let lo = arenaKeys.first, let hi = arenaKeys.last, hi - lo < 1024 {
            firstPage = lo << (PageIndex.arenaShift - PageIndex.pageShift)
            direct = [UInt32].hugePaged(repeating: 0, count: Int(hi - lo + 1) * PageIndex.pagesPerArena)
            for (k, arena) in arenaKeys.enumerated() {
                let offset = Int(arena - lo) * PageIndex.pagesPerArena
                for (i, v) in tables[k].enumerated() where v != 0 { direct[offset + i] = v }
            }
            tables = []
        }
    }

    /// Hints the processor to fetch the table entry of the page holding `address`.
    @inline(__always)
    func prefetchEntry(of address: UInt64) {
        guard !direct.isEmpty else { return }
        let page = (address >> PageIndex.pageShift) &- firstPage
        guard page < UInt64(direct.count) else { return }
        direct.withUnsafeBufferPointer { coreview_prefetch($0.baseAddress! + Int(page)) }
    }

    @inline(__always)
    func span(of address: UInt64) -> Int? {
        if !direct.isEmpty {
            let page = (address >> PageIndex.pageShift) &- firstPage
            guard page < UInt64(direct.count) else { return nil }
            let entry = direct[Int(page)]
            return entry == 0 ? nil : Int(entry - 1)
        }
        let arena = address >> PageIndex.arenaShift
        var lo = 0, hi = arenaKeys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if arenaKeys[mid] < arena { lo = mid + 1 } else { hi = mid }
        }
        guard lo < arenaKeys.count, arenaKeys[lo] == arena else { return nil }
        let entry = tables[lo][Int((address >> PageIndex.pageShift) & UInt64(PageIndex.pagesPerArena - 1))]
        return entry == 0 ? nil : Int(entry - 1)
    }
}
