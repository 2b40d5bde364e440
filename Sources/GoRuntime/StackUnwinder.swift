import CoreFile

/// One physical frame of a goroutine's stack.
///
/// Invariants (amd64): `fp` is the caller's SP (DWARF's CFA); the return address sits at `fp - 8`;
/// `varp` is the top of the locals (below the saved frame pointer); `argp == fp`. `continpc` is where
/// execution continues (0: the frame is dead, after a panic with no deferreturn).
public struct StackFrame: Sendable {
    public var function: FunctionInfo
    public var pc: UInt64
    public var sp: UInt64
    public var fp: UInt64
    public var varp: UInt64
    public var continpc: UInt64
    /// The frame was interrupted at an arbitrary instruction (a signal or async preemption): its stack
    /// maps do not apply and it is scanned conservatively, as the GC does.
    public var conservative: Bool
    /// The PC to symbolize with (pc - 1 for return addresses, so the line is the call's).
    public var symbolPC: UInt64
}

/// A register context to unwind from.
public struct UnwindStart: Sendable {
    public var pc: UInt64
    public var sp: UInt64
    /// True when pc is an interrupted instruction, not a return address.
    public var trap: Bool
    /// General registers of the interrupted context by DWARF register number (0 rax, 1 rdx, 2 rcx,
    /// 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15); scanned conservatively; empty for parked goroutines.
    public var registers: [UInt16: UInt64]
    /// How the start was found, for diagnostics.
    public var source: String
}

/// Unwinds Go stacks with the pclntab's SP-delta tables, as the runtime's unwinder does (traceback.go).
struct StackUnwinder {
    let table: FunctionTable
    let memory: AddressSpace
    static let maxFrames = 100_000

    /// The frames from `start` while they stay within [low, high) (pass 0, .max to not bound).
    func unwind(_ start: UnwindStart, low: UInt64, high: UInt64) -> (frames: [StackFrame], problem: String?) {
        var frames: [StackFrame] = []
        var pc = start.pc, sp = start.sp
        var trap = start.trap
        var calleeName = ""
        var conservativeNext = start.trap
        if pc == 0 {
            // A call through a nil func: the return address is at SP (traceback.go initAt).
            guard let ra = memory.u64(sp) else { return ([], "stack pointer 0x\(String(sp, radix: 16)) unreadable") }
            pc = ra; sp += 8; trap = false
        }
        while frames.count < StackUnwinder.maxFrames {
            guard let f = table.function(at: pc) else {
                return (frames, frames.isEmpty ? "PC 0x\(String(pc, radix: 16)) is not in Go code" : "unknown return address 0x\(String(pc, radix: 16))")
            }
            guard sp >= low, sp < high || high == .max else {
                return (frames, "SP 0x\(String(sp, radix: 16)) left the stack")
            }
            guard let delta = table.spDelta(f, pc: pc), delta >= 0 else {
                return (frames, "no SP delta for \(f.name) at 0x\(String(pc, radix: 16))")
            }
            let fp = sp + UInt64(delta) + 8
            var varp = fp - 8
            if varp > sp { varp -= 8 }
            var continpc = pc
            if calleeName == "runtime.sigpanic" {
                continpc = f.deferreturn != 0 ? f.entry + UInt64(f.deferreturn) + 1 : 0
            }
            let isInterrupted = trap || calleeName == "runtime.sigpanic" || calleeName == "runtime.asyncPreempt"
                || calleeName == "runtime.debugCallV2"
            let frameConservative = conservativeNext || f.name == "runtime.asyncPreempt" || f.name == "runtime.debugCallV2"
            frames.append(StackFrame(function: f, pc: pc, sp: sp, fp: fp, varp: varp, continpc: continpc,
                                     conservative: frameConservative,
                                     symbolPC: isInterrupted || pc == f.entry ? pc : pc - 1))
            // The frame above an injected call is interrupted at an arbitrary instruction.
            conservativeNext = f.name == "runtime.asyncPreempt" || f.name == "runtime.debugCallV2"
            if f.isTopFrame || f.name == "runtime.goexit" { break }
            if f.writesSP && frames.count > 1 { break }
            guard let lr = memory.u64(fp - 8) else {
                return (frames, "return address at 0x\(String(fp - 8, radix: 16)) unreadable")
            }
            if lr == 0 { break }
            calleeName = f.name
            trap = false
            pc = lr
            sp = fp
        }
        return (frames, nil)
    }

    /// Follows a thread's registers through signal handler frames (runtime.sigtramp, whose caller's SP is
    /// the kernel's ucontext) to the interrupted contexts, innermost handler first.
    func interruptedContexts(from registers: ThreadState) -> [UnwindStart] {
        var contexts: [UnwindStart] = []
        var current = UnwindStart(pc: registers.pc, sp: registers.sp, trap: true,
                                  registers: StackUnwinder.dwarfRegisters(userRegs: registers.registers), source: "thread registers")
        contexts.append(current)
        for _ in 0..<8 {
            let (frames, _) = unwind(UnwindStart(pc: current.pc, sp: current.sp, trap: true, registers: [:], source: ""),
                                     low: 0, high: .max)
            guard let tramp = frames.first(where: { $0.function.name == "runtime.sigtramp" }) else { break }
            let uc = tramp.fp  // ucontext sits just above the restorer address the kernel pushed
            let mc = uc + 40   // uc_mcontext (struct sigcontext)
            guard let rsp = memory.u64(mc + 120), let rip = memory.u64(mc + 128),
                  let regs = try? memory.read(mc, count: 128) else { break }
            let words = regs.withUnsafeBytes { b in (0..<16).map { b.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) } }
            current = UnwindStart(pc: rip, sp: rsp, trap: true, registers: StackUnwinder.dwarfRegisters(sigcontext: words),
                                  source: "signal context at 0x\(String(uc, radix: 16))")
            contexts.append(current)
        }
        return contexts
    }

    /// DWARF numbers of user_regs_struct's words (r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi
    /// rdi orig_rax rip cs eflags rsp ...).
    static func dwarfRegisters(userRegs r: [UInt64]) -> [UInt16: UInt64] {
        guard r.count >= 20 else { return [:] }
        return [15: r[0], 14: r[1], 13: r[2], 12: r[3], 6: r[4], 3: r[5], 11: r[6], 10: r[7], 9: r[8], 8: r[9],
                0: r[10], 2: r[11], 1: r[12], 4: r[13], 5: r[14], 7: r[19]]
    }

    /// DWARF numbers of struct sigcontext's first words (r8-r15 rdi rsi rbp rbx rdx rax rcx rsp).
    static func dwarfRegisters(sigcontext w: [UInt64]) -> [UInt16: UInt64] {
        guard w.count >= 16 else { return [:] }
        return [8: w[0], 9: w[1], 10: w[2], 11: w[3], 12: w[4], 13: w[5], 14: w[6], 15: w[7],
                5: w[8], 4: w[9], 6: w[10], 3: w[11], 1: w[12], 0: w[13], 2: w[14], 7: w[15]]
    }

    /// The registers runtime.asyncPreempt saved at its SP (preempt_amd64.s, the same layout in every
    /// supported version): AX CX DX BX SI DI R8-R15 at 0, 8, ... 104.
    static let asyncPreemptSaveOrder: [UInt16] = [0, 2, 1, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15]
}
