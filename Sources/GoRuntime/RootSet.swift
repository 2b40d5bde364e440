import CoreFile
import GoDWARF

/// What kind of GC root a root is.
public enum RootKind: String, Sendable, CaseIterable {
    case global
    case stack
    case finalizer
    case runtime
}

/// Which function and variable hold one word of a goroutine's stack root.
public struct SlotLabel: Sendable, Hashable {
    public var function: String
    /// The variable's name, or the slot's place ("frame-0x28", "registers", "conservatively scanned frame").
    public var variable: String
    /// True when DWARF names the variable.
    public var named: Bool

    /// "main.worker (var sessions)"
    public var description: String { named ? "\(function) (var \(variable))" : "\(function) (\(variable))" }
}

/// One named GC root: a global variable, a goroutine's variable, a finalizer or cleanup, or one of the
/// runtime's own roots; with the pointer values it holds.
///
/// Invariants: `values` are the non-zero words the GC scans for this root (heap or not; the graph keeps
/// the heap ones); `slots[i]` is where `values[i]` was read (0 for registers).
public struct Root: Sendable {
    public var kind: RootKind
    /// "main.cache", "goroutine 18 main.worker (var sessions)", "finalizer for 0xc000123000".
    public var name: String
    public var goroutine: UInt64?
    public var function: String?
    public var variable: String?
    /// DWARF type of the variable, when known (globals and named stack variables).
    public var type: TypeID?
    /// Address of the variable (global or stack slot) for typing and naming.
    public var address: UInt64?
    public var values: [UInt64] = []
    public var slots: [UInt64] = []
    /// For finalizer roots: the object whose finalizer it is (its referents are kept only when nothing
    /// else keeps the object).
    public var finalizedObject: UInt64?
    /// For goroutine roots: which function and variable hold each of `values`.
    public var labels: [SlotLabel] = []
}

/// Collects every root the collector scans (mgcmark.go markroot): data and bss words marked by the
/// modules' GC masks, goroutine stacks, finalizer/cleanup/weak-handle specials, the finalizer and
/// cleanup queues, and the per-P tiny allocation blocks.
public struct RootSetBuilder {
    let process: GoProcess
    let heap: GoHeap

    public init(process: GoProcess, heap: GoHeap) {
        self.process = process
        self.heap = heap
    }

    var memory: AddressSpace { process.memory }

    static func kind(ofGlobal name: String) -> RootKind {
        name.hasPrefix("runtime.") || name.hasPrefix("internal/runtime/") || name.hasPrefix("runtime/internal/")
            ? .runtime : .global
    }

    /// Data and bss pointer words, grouped by the global variable containing them.
    public func globalRoots() -> [Root] {
        var named: [(address: UInt64, size: UInt64, name: String, type: TypeID?)] = []
        let bias = process.bias
        for g in process.dwarf.globals { named.append((g.address &+ bias, max(g.size, 1), g.name, g.type)) }
        for s in process.executable.symbols where !s.isFunction && s.size > 0 {
            named.append((s.address &+ bias, s.size, s.name, nil))
        }
        // One entry per address, preferring DWARF's (it has the type) over the symbol table's.
        named.sort { ($0.address, $0.type == nil ? 1 : 0) < ($1.address, $1.type == nil ? 1 : 0) }
        var unique: [(address: UInt64, size: UInt64, name: String, type: TypeID?)] = []
        for n in named where unique.last?.address != n.address { unique.append(n) }
        named = unique
        func owner(_ a: UInt64) -> Int? {
            var lo = 0, hi = named.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if named[mid].address <= a { lo = mid + 1 } else { hi = mid }
            }
            guard lo > 0, a < named[lo - 1].address + named[lo - 1].size else { return nil }
            return lo - 1
        }
        var roots: [Root] = []
        var index: [Int: Int] = [:]
        var anonymous: [String: Int] = [:]
        for module in process.modules {
            for (start, end, mask, section) in [(module.data, module.edata, module.gcdatamask, "data"),
                                                (module.bss, module.ebss, module.gcbssmask, "bss")] {
                // Damaged moduledata can make these anything: clamp before converting.
                let span = end > start ? (end - start) / 8 : 0
                let words = Int(min(UInt64(max(mask.count, 0)), span, 1 << 28))
                guard words > 0, let bits = try? memory.read(mask.bytes, count: (words + 7) / 8) else {
                    if end > start { process.warn("the \(section) pointer mask of module 0x\(String(module.address, radix: 16)) is unreadable; its globals are not roots") }
                    continue
                }
                for w in 0..<words where (bits[w / 8] >> UInt8(w % 8)) & 1 != 0 {
                    let a = start + UInt64(w) * 8
                    guard let v = memory.u64(a), v != 0, heap.objectID(containing: v) != nil else { continue }
                    let r: Int
                    if let o = owner(a) {
                        if let existing = index[o] { r = existing } else {
                            let n = named[o]
                            roots.append(Root(kind: RootSetBuilder.kind(ofGlobal: n.name), name: n.name, type: n.type, address: n.address))
                            r = roots.count - 1
                            index[o] = r
                        }
                    } else {
                        let key = "\(section) 0x\(String(a, radix: 16))"
                        if let existing = anonymous[key] { r = existing } else {
                            roots.append(Root(kind: .global, name: "unnamed \(section) word at 0x\(String(a, radix: 16))", address: a))
                            r = roots.count - 1
                            anonymous[key] = r
                        }
                    }
                    roots[r].values.append(v)
                    roots[r].slots.append(a)
                }
            }
        }
        return roots
    }

    /// Finalizers, cleanups and weak handles attached to heap objects (span specials).
    public func specialRoots() throws -> [Root] {
        let layout = heap.layout
        let special = try process.layout("runtime.special")
        let nextOff = try special.require("next"), offsetOff = try special.require("offset"), kindOff = try special.require("kind")
        let fin = try? process.layout("runtime.specialfinalizer")
        let cleanup = try? process.layout("runtime.specialCleanup")
        let weak = try? process.layout("runtime.specialWeakHandle")
        var roots: [Root] = []
        for span in heap.spans.spans where span.specials != 0 {
            var s = span.specials
            var steps = 0
            while s != 0, steps < 1 << 20 {
                steps += 1
                guard let kind = memory.u8(s + kindOff) else { break }
                let offset = layout.specialOffsetIs64 ? (memory.u64(s + offsetOff) ?? 0) : UInt64(memory.u16(s + offsetOff) ?? 0)
                let slotBase = span.base + (span.isLarge ? 0 : offset / span.elemSize * span.elemSize)
                let object = slotBase + (layout.hasMallocHeader(span: span) ? layout.mallocHeaderSize : 0)
                if kind == layout.specialFinalizer, let fin, let fnOff = fin.offset(of: "fn") {
                    var root = Root(kind: .finalizer, name: "finalizer for 0x\(String(object, radix: 16))")
                    root.finalizedObject = object
                    if let fn = memory.u64(s + fnOff), fn != 0 { root.values.append(fn); root.slots.append(s + fnOff) }
                    roots.append(root)
                } else if let ck = layout.specialCleanup, kind == ck, let cleanup {
                    var root = Root(kind: .finalizer, name: "cleanup for 0x\(String(object, radix: 16))")
                    for path in ["fn", "cleanup.call", "cleanup.fn", "cleanup.arg"] {
                        if let o = cleanup.offset(of: path), let v = memory.u64(s + o), v != 0 { root.values.append(v); root.slots.append(s + o) }
                    }
                    roots.append(root)
                } else if let wk = layout.specialWeakHandle, kind == wk, let weak, let h = weak.offset(of: "handle") {
                    if let v = memory.u64(s + h), v != 0 {
                        roots.append(Root(kind: .runtime, name: "weak handle for 0x\(String(object, radix: 16))", values: [v], slots: [s + h]))
                    }
                }
                guard let next = memory.u64(s + nextOff) else { break }
                s = next
            }
        }
        return roots
    }

    /// Finalizers queued to run (`runtime.allfin` blocks) and, from 1.25, queued cleanups.
    public func queueRoots() -> [Root] {
        var roots: [Root] = []
        if let allfin = process.address(of: "runtime.allfin"), let block = try? process.layout("runtime.finBlock", "runtime.finblock"),
           let finalizer = try? process.layout("runtime.finalizer"),
           let alllink = block.offset(of: "alllink"), let cnt = block.offset(of: "cnt"), let finOff = block.offset(of: "fin"),
           let fnOff = finalizer.offset(of: "fn"), let argOff = finalizer.offset(of: "arg") {
            var b = memory.u64(allfin) ?? 0
            var steps = 0
            while b != 0, steps < 1 << 20 {
                steps += 1
                let n = UInt64(memory.u32(b + cnt) ?? 0)
                for i in 0..<min(n, 4096) {
                    let f = b + finOff + i * finalizer.size
                    let arg = memory.u64(f + argOff) ?? 0
                    var root = Root(kind: .finalizer, name: arg != 0 ? "queued finalizer for 0x\(String(arg, radix: 16))" : "queued cleanup")
                    for o in [fnOff, argOff] { if let v = memory.u64(f + o), v != 0 { root.values.append(v); root.slots.append(f + o) } }
                    roots.append(root)
                }
                b = memory.u64(b + alllink) ?? 0
            }
        }
        if let queue = process.address(of: "runtime.gcCleanups"), let ql = try? process.layout("runtime.cleanupQueue"),
           let allOff = ql.offset(of: "all"), let block = try? process.layout("runtime.cleanupBlock"),
           let alllink = block.offset(of: "alllink"), let nOff = block.offset(of: "n"), let cl = block.offset(of: "cleanups") {
            var b = memory.u64(queue + allOff) ?? 0
            var steps = 0
            let entryWords = (block.fieldType("cleanups").map { t in t.count > 0 ? t.size / t.count : 8 } ?? 8) / 8
            while b != 0, steps < 1 << 20 {
                steps += 1
                let n = UInt64(memory.u32(b + nOff) ?? 0)
                for i in 0..<min(n, 4096) {
                    var root = Root(kind: .finalizer, name: "queued cleanup")
                    for w in 0..<entryWords {
                        let a = b + cl + (i * entryWords + w) * 8
                        if let v = memory.u64(a), v != 0 { root.values.append(v); root.slots.append(a) }
                    }
                    roots.append(root)
                }
                b = memory.u64(b + alllink) ?? 0
            }
        }
        return roots
    }

    /// Each P's current tiny allocation block (mcache.tiny), greyed at the start of every mark.
    public func tinyBlockRoots() -> [Root] {
        guard let allp = process.address(of: "runtime.allp"), let pl = try? process.layout("runtime.p"),
              let mc = pl.offset(of: "mcache"), let cl = try? process.layout("runtime.mcache"), let tinyOff = cl.offset(of: "tiny"),
              let base = memory.u64(allp), let n = memory.u64(allp + 8), n < 1 << 16 else { return [] }
        var root = Root(kind: .runtime, name: "runtime tiny allocation blocks")
        for i in 0..<n {
            guard let p = memory.u64(base + i * 8), p != 0, let c = memory.u64(p + mc), c != 0,
                  let tiny = memory.u64(c + tinyOff), tiny != 0 else { continue }
            root.values.append(tiny)
            root.slots.append(c + tinyOff)
        }
        return root.values.isEmpty ? [] : [root]
    }
}
