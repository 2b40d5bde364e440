/// The general registers of one thread, from its NT_PRSTATUS note (x86-64 `user_regs_struct` order).
public struct ThreadState: Sendable, Hashable {
    public var tid: Int32
    /// The signal that was pending for the thread when it was dumped (pr_cursig).
    public var currentSignal: Int32
    /// The 27 words of `user_regs_struct`: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
    /// orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs.
    public var registers: [UInt64]

    public var pc: UInt64 { registers[16] }
    public var sp: UInt64 { registers[19] }
    public var bp: UInt64 { registers[4] }
    public var fsBase: UInt64 { registers[21] }

    /// Register names in the order of `registers`.
    public static let registerNames = ["r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
                                       "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
                                       "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs"]
}

/// The process description from NT_PRPSINFO.
public struct ProcessInfo: Sendable, Hashable {
    public var pid: Int32
    public var parentPid: Int32
    /// The command name (at most 15 characters, as the kernel keeps it).
    public var name: String
    /// The start of the argument list, space separated (the kernel keeps 80 bytes).
    public var arguments: String
}

/// One file-backed mapping from NT_FILE: the address range and the file offset it maps.
public struct FileMapping: Sendable, Hashable {
    public var start: UInt64
    public var end: UInt64
    /// Byte offset in the file (NT_FILE stores it in pages; converted here).
    public var fileOffset: UInt64
    public var path: String
}

/// The signal that ended the process, from NT_SIGINFO (or the first thread's pr_cursig).
public struct SignalInfo: Sendable, Hashable {
    public var number: Int32
    public var code: Int32

    public var name: String { SignalInfo.names[Int(number)] ?? "signal \(number)" }

    static let names: [Int: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
        8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
        14: "SIGALRM", 15: "SIGTERM", 19: "SIGSTOP", 24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
    ]
}

/// Parsers for the notes of an x86-64 Linux core. Each takes the note's descriptor bytes.
enum CoreNoteParser {
    static let prstatusRegistersOffset = 112
    static let registerCount = 27

    static func threadState(_ d: UnsafeRawBufferPointer) -> ThreadState? {
        guard d.count >= prstatusRegistersOffset + registerCount * 8 else { return nil }
        let signal = Int32(d.loadUnaligned(fromByteOffset: 12, as: Int16.self))
        let tid = d.loadUnaligned(fromByteOffset: 32, as: Int32.self)
        var regs = [UInt64](repeating: 0, count: registerCount)
        for i in 0..<registerCount {
            regs[i] = d.loadUnaligned(fromByteOffset: prstatusRegistersOffset + i * 8, as: UInt64.self)
        }
        return ThreadState(tid: tid, currentSignal: signal, registers: regs)
    }

    static func processInfo(_ d: UnsafeRawBufferPointer) -> ProcessInfo? {
        guard d.count >= 136 else { return nil }
        func text(_ offset: Int, _ length: Int) -> String {
            let slice = UnsafeRawBufferPointer(rebasing: d[offset..<(offset + length)])
            let end = slice.firstIndex(of: 0) ?? slice.count
            return String(decoding: UnsafeRawBufferPointer(rebasing: slice[0..<end]), as: UTF8.self)
                .trimmingTrailingSpaces()
        }
        return ProcessInfo(pid: d.loadUnaligned(fromByteOffset: 24, as: Int32.self),
                           parentPid: d.loadUnaligned(fromByteOffset: 28, as: Int32.self),
                           name: text(40, 16), arguments: text(56, 80))
    }

    static func fileMappings(_ d: UnsafeRawBufferPointer) -> [FileMapping] {
        guard d.count >= 16 else { return [] }
        let count = Int(d.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let pageSize = d.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard count >= 0, count < 1 << 24, 16 + count * 24 <= d.count else { return [] }
        var names: [String] = []
        var p = 16 + count * 24
        while names.count < count, p < d.count {
            var e = p
            while e < d.count, d[e] != 0 { e += 1 }
            names.append(String(decoding: UnsafeRawBufferPointer(rebasing: d[p..<e]), as: UTF8.self))
            p = e + 1
        }
        var result: [FileMapping] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            let base = 16 + i * 24
            let start = d.loadUnaligned(fromByteOffset: base, as: UInt64.self)
            let end = d.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self)
            let pages = d.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self)
            result.append(FileMapping(start: start, end: end, fileOffset: pages &* pageSize,
                                      path: i < names.count ? names[i] : ""))
        }
        return result
    }

    static func auxv(_ d: UnsafeRawBufferPointer) -> [UInt64: UInt64] {
        var result: [UInt64: UInt64] = [:]
        var p = 0
        while p + 16 <= d.count {
            let key = d.loadUnaligned(fromByteOffset: p, as: UInt64.self)
            let value = d.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self)
            if key == 0 { break }
            result[key] = value
            p += 16
        }
        return result
    }

    static func signalInfo(_ d: UnsafeRawBufferPointer) -> SignalInfo? {
        guard d.count >= 12 else { return nil }
        return SignalInfo(number: d.loadUnaligned(fromByteOffset: 0, as: Int32.self),
                          code: d.loadUnaligned(fromByteOffset: 8, as: Int32.self))
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\n" { s = s.dropLast() }
        return String(s)
    }
}
