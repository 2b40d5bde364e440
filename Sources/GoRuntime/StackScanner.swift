import CoreFile

/// A live pointer-holding word on a goroutine's stack, as the GC would scan it.
public struct StackSlot: Sendable {
    /// Index into the goroutine's frames of the frame that owns the slot.
    public var frame: Int32
    public var address: UInt64
    public var value: UInt64
    /// Found by conservative scanning (an interrupted frame or a register), not from a stack map.
    public var conservative: Bool
    /// Held inside a stack object (an address-taken local) rather than in a plain slot.
    public var inStackObject: Bool
}

/// A goroutine with its unwound frames and the live heap pointers its stack holds.
public struct GoroutineStack: Sendable {
    public var info: GoroutineInfo
    public var frames: [StackFrame]
    /// Words that may point into the heap: live stack slots, stack object contents, registers
    /// (registers have address 0).
    public var slots: [StackSlot]
    public var start: UnwindStart?
    /// Why the walk stopped early, if it did.
    public var problem: String?
    /// Register values of frames interrupted at an arbitrary instruction (by a signal or an async
    /// preemption), by frame index, DWARF register number -> value.
    public var interruptedRegisters: [Int32: [UInt16: UInt64]] = [:]
}

/// Finds each goroutine's frames and live pointer slots: stack maps at each frame's PC (locals and
/// arguments), stack objects reached from live slots, conservative scanning of interrupted frames
/// (mgcmark.go scanstack / scanframeworker).
struct StackScanner {
    let process: GoProcess
    let table: FunctionTable
    let threads: [MachineThread]
    let oldStackObjects: Bool  // <= 1.23: a negative ptrdata marks a GC program

    init(process: GoProcess, table: FunctionTable, threads: [MachineThread]) {
        self.process = process
        self.table = table
        self.threads = threads
        oldStackObjects = !process.version.atLeast(24)
    }

    var memory: AddressSpace { process.memory }

    func startContext(for g: GoroutineInfo, unwinder: StackUnwinder) -> UnwindStart {
        if g.syscallSP != 0 {
            return UnwindStart(pc: g.syscallPC, sp: g.syscallSP, trap: false, registers: [:], source: "g.syscallsp")
        }
        if g.status == 2, let m = threads.first(where: { $0.address == g.m }) {
            if let regs = m.registers {
                for ctx in unwinder.interruptedContexts(from: regs) where ctx.sp >= g.stackLow && ctx.sp < g.stackHigh {
                    return ctx
                }
            }
            if m.vdsoSP != 0 {
                return UnwindStart(pc: m.vdsoPC, sp: m.vdsoSP, trap: false, registers: [:], source: "m.vdsoSP")
            }
        }
        return UnwindStart(pc: g.schedPC, sp: g.schedSP, trap: false, registers: [:], source: "g.sched")
    }

    func scan(_ g: GoroutineInfo) -> GoroutineStack {
        let unwinder = StackUnwinder(table: table, memory: memory)
        let start = startContext(for: g, unwinder: unwinder)
        let (frames, problem) = unwinder.unwind(start, low: g.stackLow, high: g.stackHigh)
        var slots: [StackSlot] = []
        var objects: [(low: UInt64, high: UInt64, ptrBytes: UInt64, mask: UInt64, gcProgram: Bool, frame: Int32)] = []
        for (i, frame) in frames.enumerated() {
            scanFrame(frame, index: Int32(i), into: &slots, objects: &objects)
        }
        for (_, r) in start.registers.sorted(by: { $0.key < $1.key }) where r != 0 {
            slots.append(StackSlot(frame: 0, address: 0, value: r, conservative: true, inStackObject: false))
        }
        var interrupted: [Int32: [UInt16: UInt64]] = [:]
        if start.trap, !start.registers.isEmpty { interrupted[0] = start.registers }
        for (i, frame) in frames.enumerated() where frame.function.name == "runtime.asyncPreempt" && i + 1 < frames.count {
            var regs: [UInt16: UInt64] = [:]
            for (k, reg) in StackUnwinder.asyncPreemptSaveOrder.enumerated() {
                if let v = memory.u64(frame.sp + UInt64(k) * 8) { regs[reg] = v }
            }
            interrupted[Int32(i + 1)] = regs
        }
        // Stack objects are scanned only when a live pointer reaches them (mgcstack.go).
        objects.sort { $0.low < $1.low }
        var scanned = [Bool](repeating: false, count: objects.count)
        var queue = slots.filter { $0.value >= g.stackLow && $0.value < g.stackHigh }.map(\.value)
        if g.schedCtxt >= g.stackLow && g.schedCtxt < g.stackHigh { queue.append(g.schedCtxt) }
        while let p = queue.popLast() {
            guard let k = StackScanner.objectIndex(containing: p, in: objects), !scanned[k] else { continue }
            scanned[k] = true
            let o = objects[k]
            guard let mask = stackObjectMask(o.mask, ptrBytes: o.ptrBytes, gcProgram: o.gcProgram) else { continue }
            for w in 0..<Int(o.ptrBytes / 8) where (mask[w >> 6] >> UInt64(w & 63)) & 1 != 0 {
                let a = o.low + UInt64(w) * 8
                guard let v = memory.u64(a), v != 0 else { continue }
                slots.append(StackSlot(frame: o.frame, address: a, value: v, conservative: false, inStackObject: true))
                if v >= g.stackLow && v < g.stackHigh { queue.append(v) }
            }
        }
        return GoroutineStack(info: g, frames: frames, slots: slots, start: start, problem: problem,
                              interruptedRegisters: interrupted)
    }

    static func objectIndex(containing p: UInt64, in objects: [(low: UInt64, high: UInt64, ptrBytes: UInt64, mask: UInt64, gcProgram: Bool, frame: Int32)]) -> Int? {
        var lo = 0, hi = objects.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if objects[mid].low <= p { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, p < objects[lo - 1].high else { return nil }
        return lo - 1
    }

    private func stackObjectMask(_ address: UInt64, ptrBytes: UInt64, gcProgram: Bool) -> [UInt64]? {
        let words = Int(ptrBytes / 8)
        if gcProgram { return GCProgram.run(memory: memory, program: address + 4, words: words) }
        return RuntimeTypes.readMask(memory: memory, at: address, words: words)
    }

    private func scanFrame(_ frame: StackFrame, index: Int32, into slots: inout [StackSlot],
                           objects: inout [(low: UInt64, high: UInt64, ptrBytes: UInt64, mask: UInt64, gcProgram: Bool, frame: Int32)]) {
        let f = frame.function
        if frame.conservative {
            var a = frame.sp
            let argEnd = f.args > 0 ? frame.fp + UInt64(f.args) : frame.varp
            while a < max(frame.varp, argEnd) {
                if a < frame.varp || a >= frame.fp {
                    if let v = memory.u64(a), v != 0 {
                        slots.append(StackSlot(frame: index, address: a, value: v, conservative: true, inStackObject: false))
                    }
                }
                a += 8
            }
            return
        }
        let target = frame.continpc
        guard target != 0 else { return }
        var mapIndex: Int32 = -1
        if target != f.entry { mapIndex = table.pcdata(f, FunctionTable.PCData.stackMapIndex, pc: target - 1) ?? -1 }
        if mapIndex == -1 { mapIndex = 0 }
        // Locals: the bitmap covers [varp - 8*nbit, varp).
        if frame.varp > frame.sp, let sm = table.funcdata(f, FunctionTable.FuncData.localsPointerMaps) {
            forEachBit(stackMap: sm, index: mapIndex) { bit, nbit in
                let a = frame.varp - UInt64(nbit) * 8 + UInt64(bit) * 8
                if let v = memory.u64(a), v != 0 {
                    slots.append(StackSlot(frame: index, address: a, value: v, conservative: false, inStackObject: false))
                }
            }
        }
        // Arguments and spill slots: the bitmap covers [argp, argp + 8*nbit).
        if f.args > 0 && f.args != FunctionTable.argsSizeUnknown, let sm = table.funcdata(f, FunctionTable.FuncData.argsPointerMaps) {
            forEachBit(stackMap: sm, index: mapIndex) { bit, _ in
                let a = frame.fp + UInt64(bit) * 8
                if let v = memory.u64(a), v != 0 {
                    slots.append(StackSlot(frame: index, address: a, value: v, conservative: false, inStackObject: false))
                }
            }
        }
        // Stack objects (address-taken locals): registered now, scanned only if reached.
        if let so = table.funcdata(f, FunctionTable.FuncData.stackObjects), let n = memory.u64(so), n < 1 << 16 {
            for k in 0..<n {
                let r = so + 8 + k * 16
                guard let off = memory.u32(r).map({ Int32(bitPattern: $0) }),
                      let size = memory.u32(r + 4), let ptr = memory.u32(r + 8).map({ Int32(bitPattern: $0) }),
                      let gcdataoff = memory.u32(r + 12) else { continue }
                let base = off < 0 ? frame.varp : frame.fp
                let low = UInt64(Int64(bitPattern: base) + Int64(off))
                guard low >= frame.sp else { continue }
                let gcProgram = oldStackObjects && ptr < 0
                objects.append((low, low + UInt64(size), UInt64(abs(Int64(ptr))),
                                table.module.rodata + UInt64(gcdataoff), gcProgram, index))
            }
        }
    }

    /// Calls `body(bit, nbit)` for each set bit of bitmap `index` of the stackmap at `address`
    /// ({n int32, nbit int32, bytedata}; symtab.go stackmapdata).
    private func forEachBit(stackMap address: UInt64, index: Int32, _ body: (Int, Int) -> Void) {
        guard let n = memory.u32(address).map({ Int32(bitPattern: $0) }),
              let nbit = memory.u32(address + 4).map({ Int32(bitPattern: $0) }),
              nbit > 0, index >= 0, index < n else { return }
        let bytesPer = (Int(nbit) + 7) / 8
        guard let bytes = try? memory.read(address + 8 + UInt64(Int(index) * bytesPer), count: bytesPer) else { return }
        for i in 0..<Int(nbit) where (bytes[i / 8] >> UInt8(i % 8)) & 1 != 0 { body(i, Int(nbit)) }
    }
}
