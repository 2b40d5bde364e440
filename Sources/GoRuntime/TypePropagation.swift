import HeapGraph
import CPrefetch
import CoreFile
import GoDWARF

/// Names heap objects by following typed pointers from typed roots (globals' and stack variables'
/// DWARF types) through struct fields, arrays, slices' backing arrays, strings, maps' internal tables,
/// channels' buffers and interfaces' dynamic types. Objects that carry a type header keep it.
///
/// Invariants: an object's type is set at most once (first typing at its start wins; header types are
/// never replaced); each object's contents are walked at most once; the walk is iterative (an explicit
/// stack), so chains of millions of objects do not recurse.
public final class TypePropagation {
    let heap: GoHeap
    let memory: AddressSpace
    private var reader: MemoryReader
    private let headerSize: UInt64
    /// The heap's span table, held here so hot lookups do not copy it out of the heap each time.
    private let spans: SpanTable
    private var slotCache = PointerSlotCache()
    /// Per type id: its pointer slots, struct hook and size, filled on first use (types can be added
    /// while the walk runs, so the arrays grow).
    private var allSlots: [PointerSlot] = []
    /// Per type id: the range of its slots in `allSlots` (start, count); count UInt32.max = not computed.
    private var slotRanges: [(start: UInt32, count: UInt32)] = []
    /// Interface type words already resolved: descriptor address -> (type id, direct iface).
    private var dynamicTypes: [UInt64: (TypeID, Bool)] = [:]
    private var hookByType: [StructHook?] = []
    private var sizeByType: [UInt64] = []
    private var walked: [UInt64]
    private var interiorWalked = Set<UInt64>()
    /// Values still to walk (from `head` on), first in first out (so their memory can be fetched ahead
    /// of use). 16 bytes each: the queue holds a whole level of a big map's objects at times.
    private var queue: [(address: UInt64, type: TypeID, count: UInt32)] = []
    private var head = 0
    /// Typed pointers found but not yet followed: batched so their spans are fetched ahead.
    private var pending: [(p: UInt64, type: TypeID, arrayCount: UInt64, valueSize: UInt64)] = []
    private var flushing: [(p: UInt64, type: TypeID, arrayCount: UInt64, valueSize: UInt64)] = []
    private static let batch = 256
    private var located = ObjectIDBatch(capacity: 256)
    private static let lookahead = 8
    /// Typed values found inside 16-byte tiny blocks: (object id << 4 | offset, type).
    public private(set) var tinyValues: [TinyValue] = []
    private let stringDataType: TypeID
    private let closureType: TypeID
    /// Names the closure object behind a func value from its code pointer (set once pclntab is read).
    public var closureTypeForFunction: ((UInt64) -> TypeID?)?

    enum StructHook {
        case none
        /// Swiss map header: dirPtr is a group when dirLen == 0.
        case swissMap(dirPtr: UInt64, dirLen: UInt64, group: TypeID?)
        /// Channel header: buf holds dataqsiz elements of the type at elemtype.
        case channel(buf: UInt64, dataqsiz: UInt64, elemtype: UInt64)
        /// internal/sync.node[K,V] (sync.Map's trie, 1.24+): the object is an entry or an indirect
        /// node, as its isEntry flag says.
        case trieNode(isEntry: UInt64, entry: TypeID, indirect: TypeID)
    }

    public init(heap: GoHeap) {
        self.heap = heap
        memory = heap.process.memory
        reader = MemoryReader(heap.process.memory)
        headerSize = heap.layout.mallocHeaderSize
        spans = heap.spans
        walked = [UInt64].hugePaged(repeating: 0, count: (heap.objectCount + 63) / 64)
        stringDataType = heap.types.id(named: "<string data>")
            ?? heap.types.add(GoType(name: "<string data>", kind: .scalar, size: 1, dwarfOffset: 0))
        closureType = heap.types.id(named: "<closure>")
            ?? heap.types.add(GoType(name: "<closure>", kind: .unknown, size: 8, dwarfOffset: 0))
    }

    /// Walks the value of `type` at `address` (a global or a stack slot) and everything it reaches.
    public func propagate(from address: UInt64, type: TypeID) {
        push((address, type, 1))
        drain()
    }

    private func isWalked(_ id: UInt32) -> Bool { (walked[Int(id) >> 6] >> UInt64(id & 63)) & 1 != 0 }
    private func markWalked(_ id: UInt32) { walked[Int(id) >> 6] |= 1 << UInt64(id & 63) }

    /// Makes the per-type caches cover `type`.
    @inline(__always)
    private func cover(_ type: TypeID) {
        if Int(type) >= slotRanges.count {
            let n = heap.types.count - slotRanges.count
            slotRanges.append(contentsOf: repeatElement((start: UInt32(0), count: UInt32.max), count: n))
            hookByType.append(contentsOf: repeatElement(nil, count: n))
            sizeByType.append(contentsOf: repeatElement(UInt64.max, count: n))
        }
    }

    /// The range of `type`'s pointer slots in `allSlots`.
    @inline(__always)
    private func slotRange(of type: TypeID) -> Range<Int> {
        cover(type)
        let r = slotRanges[Int(type)]
        if r.count != .max { return Int(r.start)..<Int(r.start + r.count) }
        let s = slotCache.slots(of: type, in: heap.types)
        let start = allSlots.count
        allSlots.append(contentsOf: s)
        slotRanges[Int(type)] = (UInt32(start), UInt32(s.count))
        return start..<(start + s.count)
    }

    private func size(of type: TypeID) -> UInt64 {
        cover(type)
        let s = sizeByType[Int(type)]
        if s != .max { return s }
        let size = heap.types[type].size
        sizeByType[Int(type)] = size
        return size
    }

    @inline(__always)
    private func push(_ item: (address: UInt64, type: TypeID, count: UInt64)) {
        var (address, count) = (item.address, item.count)
        // More than 2^32 - 1 elements (never seen) go in several entries.
        while count > UInt64(UInt32.max) {
            queue.append((address, item.type, UInt32.max))
            address &+= UInt64(UInt32.max) &* max(size(of: item.type), 1)
            count -= UInt64(UInt32.max)
        }
        queue.append((address, item.type, UInt32(count)))
    }

    private func drain() {
        while true {
            while head < queue.count {
                let (address, type, count) = queue[head]
                head += 1
                if head + TypePropagation.lookahead < queue.count,
                   let p = reader.pointer(at: queue[head + TypePropagation.lookahead].address, count: 8) {
                    coreview_prefetch(p)
                }
                walk(address, type, UInt64(count))
                if head >= 1 << 16 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
            }
            if pending.isEmpty { break }
            flushPending()
        }
        queue.removeAll(keepingCapacity: true)
        head = 0
    }

    private func walk(_ address: UInt64, _ type: TypeID, _ count: UInt64) {
        let slots = slotRange(of: type)
        let hook = structHook(type)
        guard !slots.isEmpty || !isNone(hook) else { return }
        let stride = max(size(of: type), 1)
        var i: UInt64 = 0
        while i < count {
            let base = address &+ i &* stride
            if case .none = hook {} else { applyHook(hook, base: base) }
            for k in slots {
                let slot = allSlots[k]
                visit(slot, at: base &+ slot.offset)
            }
            i += 1
        }
    }

    /// Queues a typed pointer to follow shortly, fetching its span's lookup data meanwhile.
    @inline(__always)
    private func later(_ p: UInt64, _ type: TypeID, arrayCount: UInt64?, valueSize: UInt64? = nil) {
        pending.append((p, type, arrayCount ?? .max, valueSize ?? .max))
        if pending.count >= TypePropagation.batch { flushPending() }
    }

    /// Follows the batched pointers: their objects are located together (the lookups overlap), their
    /// type entries and walked bits fetched, then each is followed.
    private func flushPending() {
        swap(&pending, &flushing)
        for b in flushing { located.values.append(b.p) }
        located.resolve(in: spans)
        located.ids.withUnsafeBufferPointer { ids in
            for i in 0..<flushing.count where ids[i] != .max {
                coreview_prefetch(heap.objectTypes.address(of: Int(ids[i])))
                walked.withUnsafeBufferPointer { coreview_prefetch($0.baseAddress! + Int(ids[i]) >> 6) }
            }
        }
        for (i, b) in flushing.enumerated() {
            guard let at = located.location(i, in: spans) else { continue }
            reach(b.p, b.type, arrayCount: b.arrayCount == .max ? nil : b.arrayCount,
                  valueSize: b.valueSize == .max ? nil : b.valueSize, at: at)
        }
        located.removeAll()
        flushing.removeAll(keepingCapacity: true)
    }

    private func isNone(_ h: StructHook) -> Bool { if case .none = h { return true }; return false }

    private func visit(_ slot: PointerSlot, at address: UInt64) {
        var source = MemoryWords(reader: reader)
        handle(slot, at: address, words: &source)
        reader = source.reader
    }

    /// Follows one pointer slot whose words are read by `word` (from memory, or from a reassembled
    /// stack variable).
    private func handle<W: WordSource>(_ slot: PointerSlot, at address: UInt64, words: inout W) {
        @inline(__always) func word(_ a: UInt64) -> UInt64? { words.word(a) }
        switch slot.kind {
        case .pointer:
            guard let p = word(address), p != 0 else { return }
            later(p, slot.target, arrayCount: nil)
        case .string:
            guard let p = word(address), p != 0, let len = word(address + 8), len > 0 else { return }
            later(p, stringDataType, arrayCount: len, valueSize: len)
        case .slice:
            guard let p = word(address), p != 0 else { return }
            let cap = word(address + 16) ?? 0
            later(p, slot.target, arrayCount: cap > 0 ? cap : nil)
        case .eface, .iface:
            guard let w = word(address), w != 0, let data = word(address + 8), data != 0 else { return }
            let typeAddress = slot.kind == .eface ? w : (memory.u64(w + 8) ?? 0)
            guard typeAddress != 0, let (dynamic, direct) = dynamicType(typeAddress) else { return }
            if direct {
                // The data word is the value itself: a pointer-shaped value of the dynamic type.
                for k in slotRange(of: dynamic) where allSlots[k].offset == 0 {
                    handle(allSlots[k], at: address + 8, words: &words)
                }
            } else {
                later(data, dynamic, arrayCount: nil)
            }
        case .map, .chan:
            guard let p = word(address), p != 0, slot.target != PointerSlotCache.none else { return }
            later(p, slot.target, arrayCount: nil)
        case .function:
            guard let p = word(address), p != 0, let at = spans.locate(p), dataStart(at) == p else { return }
            let id = at.id
            if !HeapTypeRef(raw: heap.objectTypes[Int(id)]).isKnown {
                let fn = reader.u64(p) ?? 0
                let type = closureTypeForFunction?(fn) ?? closureType
                heap.objectTypes[Int(id)] = HeapTypeRef(type: type, array: false).raw
                if !isWalked(id) {
                    markWalked(id)
                    if type != closureType { push((p, type, 1)) }
                }
            }
        case .unsafePointer:
            return
        case .array:
            push((address, slot.target, slot.count))
        }
    }

    /// Walks a value of `type` given as bytes (a stack variable reassembled from its DWARF pieces;
    /// `known[i]` false where a byte was not recoverable), and everything it reaches.
    public func propagate(value bytes: [UInt8], known: [Bool], type: TypeID) {
        var source = BufferWords(bytes: bytes, known: known)
        for k in slotRange(of: type) where allSlots[k].kind != .array {
            handle(allSlots[k], at: allSlots[k].offset, words: &source)
        }
        drain()
    }

    /// Where the object at `at` starts: its slot, past the malloc header in spans that have one.
    @inline(__always)
    private func dataStart(_ at: ObjectLocation) -> UInt64 {
        at.slotBase &+ (spans.hot[at.span].header ? headerSize : 0)
    }

    /// A typed pointer `p` to a value of `type` (or `arrayCount` of them): name the object it lands in
    /// and walk it once.
    private func reach(_ p: UInt64, _ type: TypeID, arrayCount: UInt64?, valueSize: UInt64? = nil,
                       at known: ObjectLocation? = nil) {
        guard type != PointerSlotCache.none, let at = known ?? spans.locate(p) else { return }
        let id = at.id
        let span = spans.hot[at.span]
        let start = dataStart(at)
        guard p >= start else { return }  // a pointer at a malloc header
        let elemSize = max(size(of: type), 1)
        let valueBytes = valueSize ?? elemSize
        if span.tiny && valueBytes < 16 {
            // A small pointer-free value inside a 16-byte tiny block.
            if let v = TinyValue(key: UInt64(id) << 4 | (p - start) & 15, type: type) { tinyValues.append(v) }
            return
        }
        if p != start {
            // An interior pointer into a typed place: walk that value, once, unless the whole object
            // has been walked already.
            if isWalked(id) { return }
            let key = UInt64(id) << 20 | (p - start) & 0xfffff
            guard interiorWalked.insert(key ^ UInt64(type) << 52).inserted else { return }
            push((p, type, 1))
            return
        }
        let dataEnd = span.isLarge ? span.limit : at.slotBase &+ UInt64(span.elemSize)
        let capacity = (dataEnd - start) / elemSize
        if heap.objectTypes[Int(id)] == HeapTypeRef.unknown.raw {
            let ref = HeapTypeRef(type: type, array: capacity >= 2 && (arrayCount ?? capacity) >= 2 && type != stringDataType)
            heap.objectTypes[Int(id)] = ref.raw
        }
        guard !span.noscan, !isWalked(id) else { return }
        markWalked(id)
        let n = min(arrayCount ?? capacity, max(capacity, 1))
        push((start, type, n))
    }

    /// The DWARF (or runtime-made) type of an interface's dynamic type word, and whether its values
    /// are stored directly in the data word.
    private func dynamicType(_ address: UInt64) -> (TypeID, Bool)? {
        if let d = dynamicTypes[address] { return d }
        guard let rt = heap.runtimeTypes.type(at: address), let id = heap.typeID(forRuntimeType: address) else { return nil }
        dynamicTypes[address] = (id, rt.directIface)
        return (id, rt.directIface)
    }

    // MARK: Map and channel internals DWARF does not type precisely

    private func structHook(_ type: TypeID) -> StructHook {
        cover(type)
        if let h = hookByType[Int(type)] { return h }
        var hook = StructHook.none
        let t = heap.types[type]
        if t.kind == .struct {
            func off(_ name: String) -> UInt64? { t.fields.first { $0.name == name }?.offset }
            if let dirPtr = off("dirPtr"), let dirLen = off("dirLen") {
                hook = .swissMap(dirPtr: dirPtr, dirLen: dirLen, group: swissGroupType(t))
            } else if t.name.hasPrefix("chan "), let buf = off("buf"), let q = off("dataqsiz"), let et = off("elemtype") {
                hook = .channel(buf: buf, dataqsiz: q, elemtype: et)
            } else if t.name.hasPrefix("internal/sync.node["), let isEntry = off("isEntry"),
                      let entry = heap.types.id(named: "internal/sync.entry[" + t.name.dropFirst("internal/sync.node[".count)),
                      let indirect = heap.types.id(named: "internal/sync.indirect[" + t.name.dropFirst("internal/sync.node[".count)) {
                hook = .trieNode(isEntry: isEntry, entry: entry, indirect: indirect)
            }
        }
        hookByType[Int(type)] = hook
        return hook
    }

    /// map<K,V>.dirPtr is typed **table<K,V>; table.groups.data points at the group type.
    private func swissGroupType(_ header: GoType) -> TypeID? {
        let types = heap.types
        guard let dir = header.fields.first(where: { $0.name == "dirPtr" }),
              let tablePtr = types[dir.type].elem, let table = types[tablePtr].elem,
              let groups = types[table].fields.first(where: { $0.name == "groups" }),
              let data = types[groups.type].fields.first(where: { $0.name == "data" }) else { return nil }
        return types[data.type].elem
    }

    private func applyHook(_ hook: StructHook, base: UInt64) {
        switch hook {
        case .none: return
        case let .swissMap(dirPtr, dirLen, group):
            // With dirLen == 0 the map is small and dirPtr is one group; the slot walk skips it.
            guard let len = memory.u64(base + dirLen), len == 0, let group,
                  let p = memory.u64(base + dirPtr), p != 0 else { return }
            reach(p, group, arrayCount: 1)
        case let .trieNode(isEntry, entry, indirect):
            guard let at = spans.locate(base), dataStart(at) == base,
                  let flag = memory.u8(base + isEntry) else { return }
            let id = at.id
            let real = flag != 0 ? entry : indirect
            heap.objectTypes[Int(id)] = HeapTypeRef(type: real, array: false).raw
            push((base, real, 1))
        case let .channel(buf, dataqsiz, elemtype):
            guard let b = memory.u64(base + buf), b != 0, let q = memory.u64(base + dataqsiz), q > 0,
                  let et = memory.u64(base + elemtype), et != 0, let elem = heap.typeID(forRuntimeType: et) else { return }
            reach(b, elem, arrayCount: q)
        }
    }
}

extension TypePropagation {
    /// Frees the walk's scratch (queue, walked bits, batches) once every propagation is done; only
    /// the results (object types, tiny values) stay. Propagating again after this is an error.
    public func finish() {
        queue = []
        pending = []
        flushing = []
        walked = []
        interiorWalked = []
        slotCache = PointerSlotCache()
    }

    /// Seeds the walk with every package-level variable DWARF types, in address order.
    public func propagateFromGlobals() {
        let bias = heap.process.bias
        for g in heap.process.dwarf.globals {
            guard let type = g.type else { continue }
            propagate(from: g.address &+ bias, type: type)
        }
    }
}

/// Where `TypePropagation.handle` reads the words of a typed value from.
protocol WordSource {
    mutating func word(_ address: UInt64) -> UInt64?
}

/// Words read from the process's memory.
struct MemoryWords: WordSource {
    var reader: MemoryReader
    @inline(__always) mutating func word(_ address: UInt64) -> UInt64? { reader.u64(address) }
}

/// Words of a value reassembled into a buffer (addresses are offsets into it); unknown bytes read nil.
struct BufferWords: WordSource {
    let bytes: [UInt8]
    let known: [Bool]
    mutating func word(_ offset: UInt64) -> UInt64? {
        let o = Int(offset)
        guard o >= 0, o + 8 <= bytes.count, known[o] else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[o + i]) << UInt64(8 * i) }
        return v
    }
}

/// A typed value inside a 16-byte tiny block, in 8 bytes (millions of short strings live in tiny
/// blocks): `key` is the block's object id << 4 | the value's offset in it (36 bits), `type` its
/// type (28 bits).
public struct TinyValue: Sendable, Hashable {
    public let bits: UInt64
    public var key: UInt64 { bits >> 28 }
    public var type: TypeID { TypeID(bits & (1 << 28 - 1)) }

    /// Nil when the key or the type does not fit (an object id past 2^32 or a type id past 2^28).
    public init?(key: UInt64, type: TypeID) {
        guard key < 1 << 36, type < 1 << 28 else { return nil }
        bits = key << 28 | UInt64(type)
    }
}
