import CoreFile
import GoDWARF

/// The heap of a dumped Go process: every in-use span and allocated object, how to find each object's
/// pointers, and the type each object is known by.
///
/// Invariants: object ids are dense (0..<objectCount) in address order; `objectTypes[id]` is a
/// `HeapTypeRef` raw value. Built once, single-threaded; read-only afterwards.
public final class GoHeap: @unchecked Sendable {
    public let process: GoProcess
    public let layout: HeapLayout
    public let spans: SpanTable
    public let runtimeTypes: RuntimeTypes
    let scanner: ObjectScanner
    /// Type of each object (see `HeapTypeRef`).
    public let objectTypes: ObjectTypeStore
    /// Types known to the heap: DWARF's, plus those only the runtime describes.
    public internal(set) var types: TypeTable
    private var runtimeTypeIDs: [UInt64: TypeID] = [:]
    public private(set) var warnings: [String] = []

    public var objectCount: Int { spans.objectCount }

    deinit { objectTypes.free() }

    public init(process: GoProcess) throws {
        self.process = process
        let arenaLayout = try? process.layout("runtime.heapArena")
        let hasBitmap = arenaLayout.map { $0.has("bitmap") || $0.has("heapArenaPtrScalar.bitmap") } ?? false
        var layout = HeapLayout(process: process, heapArenaHasBitmap: hasBitmap)
        let reader = HeapReader(process: process, layout: layout)
        let (raw, rejected) = try reader.readSpans()
        warnings += rejected.prefix(20).map { "skipped a span: \($0)" }
        if rejected.count > 20 { warnings.append("skipped \(rejected.count - 20) more damaged spans") }
        if raw.isEmpty { throw CoreviewError.corruptRuntime("no in-use heap span found in runtime.mheap_.allspans") }

        // Confirm the Green Tea guess from the element counts of fresh small spans.
        if layout.pointerMetadata == .allocationHeaders {
            var votes = (on: 0, off: 0)
            for (s, _) in raw where !s.isLarge && s.elemSize >= 16 && s.elemSize <= 512 {
                let on = layout.expectedElements(pages: s.pages, elemSize: s.elemSize, noscan: s.noscan, greenTea: true)
                let off = layout.expectedElements(pages: s.pages, elemSize: s.elemSize, noscan: s.noscan, greenTea: false)
                if on == off { continue }
                if UInt64(s.nelems) == on { votes.on += 1 } else if UInt64(s.nelems) == off { votes.off += 1 }
            }
            if votes.on > votes.off && !layout.greenTea {
                layout.greenTea = true
                warnings.append("spans are laid out for the Green Tea GC although the build did not say so; reading them that way")
            } else if votes.off > votes.on && layout.greenTea {
                layout.greenTea = false
                warnings.append("spans are not laid out for the Green Tea GC although the build said so; reading them without it")
            }
        }
        self.layout = layout
        spans = SpanTable(spans: raw, hasHeader: { [layout] in layout.hasMallocHeader(span: $0) })
        runtimeTypes = RuntimeTypes(process: process, layout: layout)
        scanner = try ObjectScanner(process: process, layout: layout, types: runtimeTypes)
        objectTypes = ObjectTypeStore(count: spans.objectCount)
        types = process.types
        nameObjectsFromHeaders()
    }

    /// Adds a type that DWARF does not describe (a closure's layout, a synthesized name).
    public func addType(_ type: GoType) -> TypeID { types.add(type) }

    /// The DWARF (or synthesized) type for a runtime descriptor address.
    public func typeID(forRuntimeType address: UInt64) -> TypeID? {
        if let id = runtimeTypeIDs[address] { return id }
        guard let t = runtimeTypes.type(at: address) else { return nil }
        var id: TypeID?
        if let offset = runtimeTypes.moduleOffset(of: address) {
            id = types.id(runtimeOffset: offset)
        }
        if id == nil {
            let name = runtimeTypes.name(of: t) ?? "type@0x\(String(address, radix: 16))"
            if let byName = types.id(named: name) {
                id = byName
            } else {
                id = types.add(GoType(name: name, kind: .unknown, size: t.size, dwarfOffset: 0),
                               runtimeOffset: runtimeTypes.moduleOffset(of: address))
            }
        }
        runtimeTypeIDs[address] = id
        return id
    }

    /// Objects that carry their type (1.22+ malloc headers and large objects' largeType) are named by it.
    private func nameObjectsFromHeaders() {
        guard layout.pointerMetadata == .allocationHeaders else { return }
        for s in 0..<spans.spans.count {
            let span = spans.spans[s]
            guard !span.noscan, span.isLarge || layout.hasMallocHeader(span: span) else { continue }
            let dataSize = span.isLarge ? span.limit - span.base : span.elemSize - layout.mallocHeaderSize
            spans.forEachObject(inSpan: s) { slot, id in
                let slotBase = span.base + UInt64(slot) * span.elemSize
                guard let typeAddress = scanner.headerType(span: span, slotBase: slotBase) else { return }
                guard let rt = runtimeTypes.type(at: typeAddress) else {
                    scanner.fail("object at 0x\(String(slotBase, radix: 16)) has a type header 0x\(String(typeAddress, radix: 16)) that does not decode")
                    return
                }
                // A nameless GC-program stand-in (Go 1.22/1.23 large objects) says nothing of the
                // type: the object stays for propagation to name from DWARF, or unknown.
                guard rt.kind != 0 else { return }
                guard let tid = typeID(forRuntimeType: typeAddress) else {
                    scanner.fail("object at 0x\(String(slotBase, radix: 16)) has a type header 0x\(String(typeAddress, radix: 16)) that does not decode")
                    return
                }
                let isArray = rt.size > 0 && dataSize >= 2 * rt.size
                objectTypes[Int(id)] = HeapTypeRef(type: tid, array: isArray).raw
            }
        }
    }

    // MARK: Object geometry

    /// Address where object `id`'s data starts (after a malloc header).
    public func address(ofObject id: UInt32) -> UInt64 {
        let s = spans.span(ofObject: id)
        let span = spans.spans[s]
        return span.base + UInt64(spans.slot(ofObject: id, span: s)) * span.elemSize + scanner.dataOffset(span: span)
    }

    /// The bytes the runtime accounts to object `id` (its slot; whole pages for large objects).
    public func size(ofObject id: UInt32) -> UInt64 {
        spans.spans[spans.span(ofObject: id)].accountedSlotSize
    }

    /// The object containing `address` (interior pointers included), or nil.
    @inlinable
    public func objectID(containing address: UInt64) -> UInt32? { spans.objectID(containing: address) }

    /// Calls `body(offsetFromSlot, value)` for each non-zero pointer word of object `slot` in span `s`.
    public func forEachPointer(span s: Int, slot: Int, _ body: (UInt64, UInt64) -> Void) {
        let span = spans.spans[s]
        guard slot < Int(span.freeIndexForScan) || spans.isAllocated(slot: slot, span: s) else { return }
        scanner.scan(spanIndex: s, span: span, slot: slot, body)
    }

    /// A pointer scanner of its own (own type-descriptor cache and memory cursor), for walking objects
    /// on another thread while this heap's state is used elsewhere.
    public func makePointerScanner() -> PointerScanner {
        // The heap's own scanner was made from the same inputs, so making another cannot fail; if it
        // did, sharing the heap's scanner is still correct on one thread.
        let own = try? ObjectScanner(process: process, layout: layout, types: RuntimeTypes(process: process, layout: layout))
        return PointerScanner(heap: self, scanner: own ?? scanner)
    }

    /// Records failures a `PointerScanner` met, for the warnings.
    public func addFailures(_ failures: [String]) { extraFailures += failures }

    public var scanFailures: [String] { scanner.failures + extraFailures }
    /// Failures reported by scanners made with `makePointerScanner`.
    private var extraFailures: [String] = []

    /// Heap totals as the runtime's MemStats count them.
    public var totals: (spans: Int, objects: Int, bytes: UInt64, inUse: UInt64) {
        var bytes: UInt64 = 0, inUse: UInt64 = 0
        for s in spans.spans {
            bytes += UInt64(s.objectCount) * s.accountedSlotSize
            inUse += UInt64(s.pages) * 8192
        }
        return (spans.spans.count, spans.objectCount, bytes, inUse)
    }
}

/// The type of a heap object packed in 32 bits: a `TypeID`, with the top bit set when the object is an
/// array (a slice's backing store) of that type; all ones when unknown.
public struct HeapTypeRef: Sendable, Hashable {
    public var raw: UInt32
    public static let unknown = HeapTypeRef(raw: .max)
    public init(raw: UInt32) { self.raw = raw }
    public init(type: TypeID, array: Bool) { raw = (type & 0x7fff_ffff) | (array ? 0x8000_0000 : 0) }
    public var isKnown: Bool { raw != .max }
    public var type: TypeID { raw & 0x7fff_ffff }
    public var isArray: Bool { isKnown && raw & 0x8000_0000 != 0 }
}

/// Walks objects' pointer words with its own scanner state, so one thread can build the object graph
/// while another propagates types. Not shareable between threads.
public final class PointerScanner: @unchecked Sendable {
    let heap: GoHeap
    let scanner: ObjectScanner
    /// Held here so per-object lookups do not copy the table out of the heap.
    let spans: SpanTable

    init(heap: GoHeap, scanner: ObjectScanner) {
        self.heap = heap
        self.scanner = scanner
        spans = heap.spans
    }

    /// Calls `body(offsetFromSlot, value)` for each non-zero pointer word of object `slot` in span `s`.
    @inline(__always)
    public func forEachPointer(span s: Int, slot: Int, _ body: (UInt64, UInt64) -> Void) {
        let span = spans.spans[s]
        guard slot < Int(span.freeIndexForScan) || spans.isAllocated(slot: slot, span: s) else { return }
        scanner.scan(spanIndex: s, span: span, slot: slot, body)
    }

    public var failures: [String] { scanner.failures }

    /// Appends the non-zero pointer words of every allocated object of span `s` to `values`, in slot
    /// order, and after each object its end (`values.count`) to `ends`. Spans whose pointer bits sit
    /// at their end (small objects, Go 1.22+) are read as a whole; the others object by object.
    public func scanSpan(_ s: Int, values: inout [UInt64], ends: inout [Int]) {
        let span = spans.spans[s]
        if !span.noscan, let bitsAddress = scanner.layout.heapBitsAddress(span: span),
           let bits = scanner.memory.pointer(at: bitsAddress, count: Int(UInt64(span.pages) * 8192 / 64)),
           let memory = scanner.memory.pointer(at: span.base, count: Int(bitsAddress - span.base)),
           span.elemSize >= 8, UInt64(span.nelems) * span.elemSize <= bitsAddress - span.base {
            let words = Int(span.elemSize / 8)
            spans.forEachObject(inSpan: s) { slot, _ in
                let first = slot * words
                ObjectScanner.forEachSetBit(bits, from: first, count: words) { i in
                    let value = memory.loadUnaligned(fromByteOffset: (first + i) * 8, as: UInt64.self)
                    if value != 0 { values.append(value) }
                }
                ends.append(values.count)
            }
            return
        }
        spans.forEachObject(inSpan: s) { slot, _ in
            scanner.scan(spanIndex: s, span: span, slot: slot) { _, value in values.append(value) }
            ends.append(values.count)
        }
    }
}
