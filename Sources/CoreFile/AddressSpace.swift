/// Where the bytes of one address range come from.
public enum RegionSource: Sendable, Hashable {
    /// Stored in the core file.
    case core
    /// Not in the core; read from the executable, which NT_FILE says was mapped here.
    case executable
    /// Anonymous memory the core did not store: reads as zeros.
    case zeros
    /// The core's headers promise these bytes but the file was cut short.
    case truncated
    /// File-backed memory the core left out, from a file we do not have (a shared library).
    case fileNotLoaded(String)
}

/// One contiguous address range with a single source. `base` points at the bytes of `start` when the
/// source is `.core` or `.executable`.
public struct MemoryRegion: @unchecked Sendable {
    public var start: UInt64
    public var end: UInt64
    public var source: RegionSource
    public var permissions: String
    @usableFromInline let base: UnsafeRawPointer?

    public var size: UInt64 { end - start }
    public var isReadable: Bool {
        switch source {
        case .core, .executable, .zeros: return true
        case .truncated, .fileNotLoaded: return false
        }
    }
}

/// Why a read failed: the first address in the range that cannot be read, and the reason.
public struct UnreadableAddress: Error, Sendable, CustomStringConvertible {
    public var address: UInt64
    public var reason: String
    public var description: String { "cannot read 0x\(String(address, radix: 16)): \(reason)" }
}

/// The memory of the dumped process: `read(address, count)` over the core's segments, falling back to the
/// executable for the file-backed ranges the core left out (text and rodata, usually).
///
/// Invariant: `regions` are sorted, non-overlapping, and cover exactly the process's mapped ranges known
/// from the core. Lookups never trap: an address outside every readable region yields nil or an error.
public final class AddressSpace: @unchecked Sendable {
    public let core: CoreDump
    public let executable: Executable?
    public let regions: [MemoryRegion]
    @usableFromInline let starts: [UInt64]
    /// Added to the executable's link-time addresses to get run-time addresses (non-zero for PIE).
    public let loadBias: UInt64

    @usableFromInline static let zeroPageSize = 1 << 20
    @usableFromInline nonisolated(unsafe) static let zeroPage = UnsafeMutableRawPointer.allocate(byteCount: zeroPageSize, alignment: 4096)
        .initializeMemory(as: UInt8.self, repeating: 0, count: zeroPageSize)

    public init(core: CoreDump, executable: Executable?) {
        self.core = core
        self.executable = executable
        var bias: UInt64 = 0
        if let exe = executable, exe.image.elfType == 3 /* ET_DYN */, let entry = core.auxv[CoreDump.auxEntry] {
            bias = entry &- exe.image.entry
        }
        loadBias = bias

        // The executable's own mappings are the NT_FILE entries naming the file mapped at the entry point.
        let exePath = core.executablePathFromCore
        let exeMappings = core.mappings.filter { $0.path == exePath }
        let otherMappings = core.mappings.filter { $0.path != exePath }

        var regions: [MemoryRegion] = []
        func addFileBacked(_ start: UInt64, _ end: UInt64, permissions: String) {
            // Split [start, end) by the executable's mappings; what they do not cover is zeros, or a
            // library's bytes we do not have.
            var cursor = start
            for m in exeMappings where m.end > cursor && m.start < end {
                let s = max(cursor, m.start), e = min(end, m.end)
                if s > cursor { addGap(cursor, s, permissions: permissions) }
                if let exe = executable {
                    let fileOffset = m.fileOffset + (s - m.start)
                    let fileSize = UInt64(exe.image.file.size)
                    let inFile = fileOffset >= fileSize ? 0 : min(e - s, fileSize - fileOffset)
                    if inFile > 0 {
                        regions.append(MemoryRegion(start: s, end: s + inFile, source: .executable,
                                                    permissions: permissions,
                                                    base: exe.image.file.bytes + Int(fileOffset)))
                    }
                    if s + inFile < e {
                        regions.append(MemoryRegion(start: s + inFile, end: e, source: .fileNotLoaded(m.path),
                                                    permissions: permissions, base: nil))
                    }
                } else {
                    regions.append(MemoryRegion(start: s, end: e, source: .fileNotLoaded(m.path),
                                                permissions: permissions, base: nil))
                }
                cursor = e
            }
            if cursor < end { addGap(cursor, end, permissions: permissions) }
        }
        func addGap(_ start: UInt64, _ end: UInt64, permissions: String) {
            var cursor = start
            for m in otherMappings where m.end > cursor && m.start < end {
                let s = max(cursor, m.start), e = min(end, m.end)
                if s > cursor {
                    regions.append(MemoryRegion(start: cursor, end: s, source: .zeros, permissions: permissions, base: nil))
                }
                regions.append(MemoryRegion(start: s, end: e, source: .fileNotLoaded(m.path), permissions: permissions, base: nil))
                cursor = e
            }
            if cursor < end {
                regions.append(MemoryRegion(start: cursor, end: end, source: .zeros, permissions: permissions, base: nil))
            }
        }

        for segment in core.segments {
            let h = segment.header
            let perms = h.permissions
            let presentEnd = h.vaddr + segment.presentSize
            if segment.presentSize > 0 {
                regions.append(MemoryRegion(start: h.vaddr, end: presentEnd, source: .core, permissions: perms,
                                            base: core.image.file.bytes + Int(h.offset)))
            }
            let fileEnd = h.vaddr + h.fileSize
            if presentEnd < fileEnd {
                regions.append(MemoryRegion(start: presentEnd, end: fileEnd, source: .truncated, permissions: perms, base: nil))
            }
            // A PROT_NONE reservation with nothing stored is not mapped memory.
            if fileEnd < segment.end, h.flags & 7 != 0 {
                addFileBacked(fileEnd, segment.end, permissions: perms)
            }
        }
        // Executable mappings with no PT_LOAD at all (a core writer that omitted them entirely).
        regions.sort { $0.start < $1.start }
        var extra: [MemoryRegion] = []
        for m in exeMappings {
            var cursor = m.start
            for r in regions where r.end > cursor && r.start < m.end {
                if r.start > cursor { extra.append(contentsOf: AddressSpace.exeRegion(cursor, r.start, m, executable)) }
                cursor = max(cursor, r.end)
            }
            if cursor < m.end { extra.append(contentsOf: AddressSpace.exeRegion(cursor, m.end, m, executable)) }
        }
        regions.append(contentsOf: extra)
        regions.sort { $0.start < $1.start }
        self.regions = regions
        self.starts = regions.map(\.start)
    }

    private static func exeRegion(_ s: UInt64, _ e: UInt64, _ m: FileMapping, _ exe: Executable?) -> [MemoryRegion] {
        guard let exe else { return [MemoryRegion(start: s, end: e, source: .fileNotLoaded(m.path), permissions: "r--", base: nil)] }
        let fileOffset = m.fileOffset + (s - m.start)
        let fileSize = UInt64(exe.image.file.size)
        let inFile = fileOffset >= fileSize ? 0 : min(e - s, fileSize - fileOffset)
        guard inFile > 0 else { return [] }
        return [MemoryRegion(start: s, end: s + inFile, source: .executable, permissions: "r--",
                             base: exe.image.file.bytes + Int(fileOffset))]
    }

    /// The index of the region containing `address`, or nil.
    @inlinable
    public func regionIndex(of address: UInt64) -> Int? {
        var lo = 0, hi = starts.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if starts[mid] <= address { lo = mid &+ 1 } else { hi = mid }
        }
        guard lo > 0, address < regions[lo - 1].end else { return nil }
        return lo - 1
    }

    public func region(of address: UInt64) -> MemoryRegion? {
        regionIndex(of: address).map { regions[$0] }
    }

    /// A pointer to `count` readable bytes at `address`, if they lie in one region. Zero-filled ranges
    /// return a pointer into a shared page of zeros (for counts up to 1 MiB).
    @inlinable
    public func pointer(at address: UInt64, count: Int) -> UnsafeRawPointer? {
        guard let i = regionIndex(of: address) else { return nil }
        let r = regions[i]
        guard UInt64(count) <= r.end - address else { return nil }
        switch r.source {
        case .core, .executable: return r.base! + Int(address - r.start)
        case .zeros: return count <= AddressSpace.zeroPageSize ? UnsafeRawPointer(AddressSpace.zeroPage) : nil
        case .truncated, .fileNotLoaded: return nil
        }
    }

    /// Copies `count` bytes at `address`, crossing regions if needed.
    public func read(_ address: UInt64, count: Int) throws(UnreadableAddress) -> [UInt8] {
        if let p = pointer(at: address, count: count) {
            return Array(UnsafeRawBufferPointer(start: p, count: count))
        }
        var result: [UInt8] = []
        result.reserveCapacity(count)
        var cursor = address
        let end = address &+ UInt64(count)
        while cursor < end {
            guard let r = region(of: cursor) else {
                throw UnreadableAddress(address: cursor, reason: "not mapped in the process")
            }
            let n = Int(min(end, r.end) - cursor)
            switch r.source {
            case .core, .executable:
                result.append(contentsOf: UnsafeRawBufferPointer(start: r.base! + Int(cursor - r.start), count: n))
            case .zeros:
                result.append(contentsOf: repeatElement(0, count: n))
            case .truncated:
                throw UnreadableAddress(address: cursor, reason: "the core is truncated before these bytes")
            case let .fileNotLoaded(path):
                throw UnreadableAddress(address: cursor, reason: "mapped from \(path), which the core does not contain")
            }
            cursor += UInt64(n)
        }
        return result
    }

    @inlinable
    public func load<T: FixedWidthInteger>(_: T.Type, at address: UInt64) -> T? {
        guard let p = pointer(at: address, count: MemoryLayout<T>.size) else {
            guard let bytes = try? read(address, count: MemoryLayout<T>.size) else { return nil }
            return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
        }
        return T(littleEndian: p.loadUnaligned(as: T.self))
    }

    @inlinable
    public func u64(_ address: UInt64) -> UInt64? { load(UInt64.self, at: address) }
    @inlinable
    public func u32(_ address: UInt64) -> UInt32? { load(UInt32.self, at: address) }
    @inlinable
    public func u16(_ address: UInt64) -> UInt16? { load(UInt16.self, at: address) }
    @inlinable
    public func u8(_ address: UInt64) -> UInt8? { load(UInt8.self, at: address) }

    /// Reads bytes only from the core itself (never the executable): used to check that they agree.
    public func readFromCoreOnly(_ address: UInt64, count: Int) -> [UInt8]? {
        guard let r = region(of: address), r.source == .core, UInt64(count) <= r.end - address else { return nil }
        return Array(UnsafeRawBufferPointer(start: r.base! + Int(address - r.start), count: count))
    }

    /// A Go string's bytes at `pointer` with `length`, decoded as UTF-8 (nil if unreadable or implausible).
    public func string(at pointer: UInt64, length: UInt64, limit: UInt64 = 1 << 20) -> String? {
        guard length <= limit else { return nil }
        if length == 0 { return "" }
        guard let bytes = try? read(pointer, count: Int(length)) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A read cursor over an `AddressSpace` that remembers the last region it read from, so runs of reads
/// in one region (an object, a span) skip the region search. Not shareable between threads: each
/// thread makes its own.
public struct MemoryReader {
    /// Unowned: the reader lives inside objects that keep the address space alive, and copying a
    /// reader in a hot loop must not touch reference counts.
    public unowned(unsafe) let space: AddressSpace
    @usableFromInline var start: UInt64 = 1
    @usableFromInline var end: UInt64 = 0
    @usableFromInline var base: UnsafeRawPointer?

    public init(_ space: AddressSpace) { self.space = space }

    /// A pointer to `count` bytes at `address` when they lie in one stored region.
    @inlinable
    public mutating func pointer(at address: UInt64, count: Int) -> UnsafeRawPointer? {
        if address >= start, address < end, UInt64(count) <= end - address, let base {
            return base + Int(address - start)
        }
        guard let i = space.regionIndex(of: address) else { return nil }
        let r = space.regions[i]
        switch r.source {
        case .core, .executable:
            start = r.start
            end = r.end
            base = r.base
            guard UInt64(count) <= end - address else { return space.pointer(at: address, count: count) }
            return r.base! + Int(address - r.start)
        default:
            return space.pointer(at: address, count: count)
        }
    }

    @inlinable
    public mutating func u64(_ address: UInt64) -> UInt64? {
        if let p = pointer(at: address, count: 8) { return p.loadUnaligned(as: UInt64.self) }
        return space.u64(address)
    }
}
