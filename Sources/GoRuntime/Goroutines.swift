import CoreFile

/// One goroutine from `runtime.allgs`, as its `g` struct records it.
public struct GoroutineInfo: Sendable {
    public var address: UInt64
    public var id: UInt64
    /// atomicstatus without the _Gscan bit.
    public var status: UInt32
    public var waitReason: UInt8
    public var stackLow: UInt64
    public var stackHigh: UInt64
    public var schedSP: UInt64
    public var schedPC: UInt64
    public var schedBP: UInt64
    public var schedCtxt: UInt64
    public var syscallSP: UInt64
    public var syscallPC: UInt64
    /// The PC of the `go` statement that created it.
    public var creatorPC: UInt64
    public var startPC: UInt64
    public var m: UInt64
    public var deferChain: UInt64
    public var panicChain: UInt64
    public var asyncSafePoint: Bool

    /// runtime2.go statuses (the same numbering in every supported version; 10 and 11 are 1.26+).
    public var statusName: String {
        switch status {
        case 0: return "idle"
        case 1: return "runnable"
        case 2: return "running"
        case 3: return "syscall"
        case 4: return "waiting"
        case 6: return "dead"
        case 8: return "copystack"
        case 9: return "preempted"
        case 10: return "leaked"
        case 11: return "dead"
        default: return "status \(status)"
        }
    }

    public var isDead: Bool { status == 6 || status == 11 || status == 0 }
}

/// One OS thread running Go code (`runtime.m`), matched to its registers in the core.
public struct MachineThread: Sendable {
    public var address: UInt64
    public var id: Int64
    public var tid: UInt64
    public var curg: UInt64
    public var g0: UInt64
    public var gsignal: UInt64
    public var vdsoSP: UInt64
    public var vdsoPC: UInt64
    public var registers: ThreadState?
}

/// Reads `runtime.allgs` and `runtime.allm`.
struct GoroutineReader {
    let process: GoProcess

    func readGoroutines() throws -> [GoroutineInfo] {
        let memory = process.memory
        let allgs = try process.requireAddress(of: "runtime.allgs")
        let base = try process.word(allgs, "runtime.allgs")
        let count = try process.word(allgs + 8, "len(runtime.allgs)")
        guard count < 1 << 26 else { throw RuntimeDecodeError.implausible("runtime.allgs has \(count) entries") }
        let l = try process.layout("runtime.g")
        let status = try l.require("atomicstatus")
        let goid = try l.require("goid")
        let lo = try l.require("stack.lo"), hi = try l.require("stack.hi")
        let sp = try l.require("sched.sp"), pc = try l.require("sched.pc")
        let bp = l.offset(of: "sched.bp"), ctxt = try l.require("sched.ctxt")
        let syscallsp = try l.require("syscallsp"), syscallpc = try l.require("syscallpc")
        let waitreason = try l.require("waitreason")
        let gopc = try l.require("gopc"), startpc = try l.require("startpc"), m = try l.require("m")
        let deferField = try l.require("_defer"), panicField = try l.require("_panic")
        let asyncSafe = l.offset(of: "asyncSafePoint")
        var result: [GoroutineInfo] = []
        for i in 0..<count {
            guard let g = memory.u64(base + i * 8), g != 0 else { continue }
            guard let rawStatus = memory.u32(g + status) else {
                process.warn("goroutine descriptor 0x\(String(g, radix: 16)) is unreadable")
                continue
            }
            func w(_ o: UInt64) -> UInt64 { memory.u64(g + o) ?? 0 }
            result.append(GoroutineInfo(
                address: g, id: w(goid), status: rawStatus & ~0x1000, waitReason: memory.u8(g + waitreason) ?? 0,
                stackLow: w(lo), stackHigh: w(hi), schedSP: w(sp), schedPC: w(pc), schedBP: bp.map(w) ?? 0,
                schedCtxt: w(ctxt), syscallSP: w(syscallsp), syscallPC: w(syscallpc), creatorPC: w(gopc),
                startPC: w(startpc), m: w(m), deferChain: w(deferField), panicChain: w(panicField),
                asyncSafePoint: asyncSafe.flatMap { memory.u8(g + $0) }.map { $0 != 0 } ?? false))
        }
        return result
    }

    func readThreads() throws -> [MachineThread] {
        let memory = process.memory
        let l = try process.layout("runtime.m")
        let alllink = try l.require("alllink"), procid = try l.require("procid"), curg = try l.require("curg")
        let g0 = try l.require("g0"), gsignal = try l.require("gsignal"), idField = l.offset(of: "id")
        let vdsoSP = l.offset(of: "vdsoSP"), vdsoPC = l.offset(of: "vdsoPC")
        let registersByTID = Dictionary(process.process.core.threads.map { (UInt64($0.tid), $0) }, uniquingKeysWith: { a, _ in a })
        var m = try process.word(try process.requireAddress(of: "runtime.allm"), "runtime.allm")
        var result: [MachineThread] = []
        var seen = Set<UInt64>()
        while m != 0, seen.insert(m).inserted, result.count < 100_000 {
            func w(_ o: UInt64) -> UInt64 { memory.u64(m + o) ?? 0 }
            let tid = w(procid)
            result.append(MachineThread(address: m, id: idField.map { Int64(bitPattern: w($0)) } ?? -1, tid: tid,
                                        curg: w(curg), g0: w(g0), gsignal: w(gsignal),
                                        vdsoSP: vdsoSP.map(w) ?? 0, vdsoPC: vdsoPC.map(w) ?? 0,
                                        registers: registersByTID[tid]))
            m = w(alllink)
        }
        return result
    }

    /// The wait reason strings the runtime itself uses (`runtime.waitReasonStrings`).
    func waitReasons() -> [String] {
        guard let sym = process.executable.symbol(named: "runtime.waitReasonStrings") else { return [] }
        let address = sym.address &+ process.bias
        let count = Int(sym.size / 16)
        var result: [String] = []
        for i in 0..<count {
            let p = process.memory.u64(address + UInt64(i) * 16) ?? 0
            let n = process.memory.u64(address + UInt64(i) * 16 + 8) ?? 0
            result.append(process.memory.string(at: p, length: n, limit: 256) ?? "")
        }
        return result
    }
}
