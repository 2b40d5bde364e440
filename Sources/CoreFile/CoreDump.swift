import CElfutils

/// One PT_LOAD segment of a core: the address range it describes and where its bytes are.
///
/// `[vaddr, vaddr + fileSize)` is stored in the core at `offset`; `presentSize <= fileSize` of it is
/// actually in the file (less when the core was cut short). `[vaddr + fileSize, vaddr + memorySize)` was
/// not dumped: the kernel leaves out file-backed pages it can re-read from the file, and PROT_NONE
/// reservations.
public struct CoreSegment: Sendable, Hashable {
    public var header: ProgramHeader
    public var presentSize: UInt64

    public var start: UInt64 { header.vaddr }
    public var end: UInt64 { header.vaddr &+ header.memorySize }
    public var isTruncated: Bool { presentSize < header.fileSize }
}

/// A Linux x86-64 ELF core: its segments, threads, process info, file mappings and auxiliary vector.
///
/// Invariant: `segments` are the PT_LOAD headers in address order; `threads` are in note order (the
/// first is the thread that took the fatal signal in a kernel core).
public final class CoreDump: @unchecked Sendable {
    public let image: ELFImage
    public let segments: [CoreSegment]
    public let threads: [ThreadState]
    public let process: ProcessInfo?
    public let mappings: [FileMapping]
    public let auxv: [UInt64: UInt64]
    public let signal: SignalInfo?
    /// Things found wrong with the file that still let it be read (truncation, bad notes).
    public let warnings: [String]

    public var path: String { image.path }

    /// Address ranges that the headers say are in the core but are missing from the file.
    public var missingRanges: [(start: UInt64, end: UInt64)] {
        segments.filter(\.isTruncated).map { ($0.start + $0.presentSize, $0.start + $0.header.fileSize) }
    }

    public static let auxEntry: UInt64 = 9  // AT_ENTRY
    public static let auxPageSize: UInt64 = 6  // AT_PAGESZ

    public init(path: String) throws {
        let image = try ELFImage(path: path)
        guard image.isCore else { throw CoreviewError.notCore(path: path, elfType: image.typeName) }
        guard image.machine == UInt16(EM_X86_64) else {
            throw CoreviewError.unsupportedArchitecture(path: path, machine: image.machineName)
        }
        self.image = image
        let fileSize = UInt64(image.file.size)
        var warnings: [String] = []

        var segments: [CoreSegment] = []
        for ph in image.programHeaders where ph.isLoad {
            let available = ph.offset >= fileSize ? 0 : min(ph.fileSize, fileSize - ph.offset)
            segments.append(CoreSegment(header: ph, presentSize: available))
        }
        segments.sort { $0.start < $1.start }
        self.segments = segments
        let truncated = segments.filter(\.isTruncated)
        if !truncated.isEmpty {
            let missing = truncated.reduce(UInt64(0)) { $0 + ($1.header.fileSize - $1.presentSize) }
            let expected = (image.programHeaders.map { $0.offset + $0.fileSize }.max() ?? 0)
            warnings.append("the core is truncated: the file has \(fileSize) bytes of the \(expected) its headers describe; \(truncated.count) segments miss \(missing) bytes, read as unavailable")
        }

        var threads: [ThreadState] = []
        var process: ProcessInfo?
        var mappings: [FileMapping] = []
        var auxv: [UInt64: UInt64] = [:]
        var signal: SignalInfo?
        for ph in image.programHeaders where ph.type == UInt32(PT_NOTE) {
            let start = Int(clamping: ph.offset)
            let wanted = Int(clamping: ph.fileSize)
            let count = max(0, min(wanted, image.file.size - min(start, image.file.size)))
            if count < wanted { warnings.append("the core's notes are cut short: \(count) of \(wanted) bytes") }
            guard count > 0, let p = image.file.pointer(at: start, count: count) else { continue }
            CoreDump.forEachNote(UnsafeRawBufferPointer(start: p, count: count)) { owner, type, desc in
                switch (owner, type) {
                case ("CORE", 1): if let t = CoreNoteParser.threadState(desc) { threads.append(t) }
                case ("CORE", 3): process = CoreNoteParser.processInfo(desc)
                case ("CORE", 6): auxv = CoreNoteParser.auxv(desc)
                case ("CORE", 0x4649_4C45): mappings = CoreNoteParser.fileMappings(desc)
                case ("CORE", 0x5349_4749): signal = CoreNoteParser.signalInfo(desc)
                default: break
                }
            }
        }
        if signal == nil, let first = threads.first, first.currentSignal != 0 {
            signal = SignalInfo(number: first.currentSignal, code: 0)
        }
        if threads.isEmpty { warnings.append("the core has no thread notes (NT_PRSTATUS)") }
        self.threads = threads
        self.process = process
        self.mappings = mappings.sorted { $0.start < $1.start }
        self.auxv = auxv
        self.signal = signal
        self.warnings = warnings
    }

    /// Calls `body(owner, type, descriptor)` for each well-formed note in a PT_NOTE segment.
    static func forEachNote(_ data: UnsafeRawBufferPointer,
                            _ body: (String, UInt32, UnsafeRawBufferPointer) -> Void) {
        var p = 0
        func align4(_ x: Int) -> Int { (x + 3) & ~3 }
        while p + 12 <= data.count {
            let nameSize = Int(data.loadUnaligned(fromByteOffset: p, as: UInt32.self))
            let descSize = Int(data.loadUnaligned(fromByteOffset: p + 4, as: UInt32.self))
            let type = data.loadUnaligned(fromByteOffset: p + 8, as: UInt32.self)
            let nameStart = p + 12
            let descStart = nameStart + align4(nameSize)
            guard nameSize < 1 << 20, descSize < 1 << 30, descStart + descSize <= data.count else { return }
            var nameEnd = nameStart + nameSize
            while nameEnd > nameStart, data[nameEnd - 1] == 0 { nameEnd -= 1 }
            let owner = String(decoding: UnsafeRawBufferPointer(rebasing: data[nameStart..<nameEnd]), as: UTF8.self)
            body(owner, type, UnsafeRawBufferPointer(rebasing: data[descStart..<(descStart + descSize)]))
            p = descStart + align4(descSize)
        }
    }

    /// The main executable's path as NT_FILE records it: the file mapped at AT_ENTRY, else the first mapping.
    public var executablePathFromCore: String? {
        if let entry = auxv[CoreDump.auxEntry],
           let m = mappings.first(where: { $0.start <= entry && entry < $0.end }) {
            return m.path
        }
        return mappings.first?.path
    }
}
