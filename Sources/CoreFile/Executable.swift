import CElfutils

/// One ELF symbol of the executable (functions and data objects only).
public struct ELFSymbol: Sendable, Hashable {
    public var name: String
    public var address: UInt64
    public var size: UInt64
    public var isFunction: Bool
}

/// The executable of a dumped process: its sections, symbols, build ids and Go build info.
///
/// Addresses here are link-time addresses; `AddressSpace.loadBias` converts them for PIE executables.
/// Invariant: `symbols` is sorted by address.
public final class Executable: @unchecked Sendable {
    public let image: ELFImage
    public let symbols: [ELFSymbol]
    private let symbolIndex: [String: Int]
    /// The Go build id (`.note.go.buildid`), if the linker wrote one.
    public let goBuildID: String?
    /// The GNU build id (`.note.gnu.build-id`) as hex, if present.
    public let gnuBuildID: String?
    /// The Go version from `.go.buildinfo` ("go1.22.10"), if present.
    public let buildInfoVersion: String?
    /// The module and build settings text from `.go.buildinfo` (`go version -m` shows the same).
    public let buildInfoSettings: String?

    public var path: String { image.path }

    public init(path: String) throws {
        let image = try ELFImage(path: path)
        guard image.elfType == UInt16(ET_EXEC) || image.elfType == UInt16(ET_DYN) else {
            throw CoreviewError.notExecutable(path: path, reason: "it is an ELF \(image.typeName)")
        }
        guard image.machine == UInt16(EM_X86_64) else {
            throw CoreviewError.unsupportedArchitecture(path: path, machine: image.machineName)
        }
        self.image = image
        var symbols = Executable.readSymbols(image)
        symbols.sort { $0.address < $1.address }
        self.symbols = symbols
        var index: [String: Int] = [:]
        index.reserveCapacity(symbols.count)
        for (i, s) in symbols.enumerated() where index[s.name] == nil { index[s.name] = i }
        symbolIndex = index

        goBuildID = image.section(named: ".note.go.buildid")
            .flatMap { image.sectionPointer($0) }
            .flatMap { Executable.noteDescriptor($0, owner: "Go", type: 4) }
            .map { String(decoding: $0, as: UTF8.self) }
        gnuBuildID = image.section(named: ".note.gnu.build-id")
            .flatMap { image.sectionPointer($0) }
            .flatMap { Executable.noteDescriptor($0, owner: "GNU", type: 3) }
            .map { $0.map { String(format2: $0) }.joined() }
        let info = image.section(named: ".go.buildinfo").flatMap { image.sectionPointer($0) }
            .flatMap(Executable.parseBuildInfo)
        buildInfoVersion = info?.version
        buildInfoSettings = info?.settings
    }

    public func symbol(named name: String) -> ELFSymbol? {
        symbolIndex[name].map { symbols[$0] }
    }

    /// The symbol whose [address, address+size) contains `address`, if any.
    public func symbol(containing address: UInt64) -> ELFSymbol? {
        var lo = 0, hi = symbols.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if symbols[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        while i >= 0 {
            let s = symbols[i]
            if address < s.address &+ max(s.size, 1) { return s }
            if s.size > 0 && s.address < address { break }
            i -= 1
        }
        return nil
    }

    public var hasDWARF: Bool {
        image.sections.contains { $0.name == ".debug_info" || $0.name == ".zdebug_info" }
    }

    /// True if the executable looks like a Go program (Go sections or the runtime's symbols).
    public var isGo: Bool {
        image.section(named: ".gopclntab") != nil || image.section(named: ".go.buildinfo") != nil
            || symbolIndex["runtime.main"] != nil
    }

    /// The virtual address and length of the Go build id's bytes, where the core should hold them too.
    public var goBuildIDLocation: (address: UInt64, count: Int)? {
        noteDescriptorLocation(section: ".note.go.buildid", owner: "Go", type: 4)
    }

    public var gnuBuildIDLocation: (address: UInt64, count: Int)? {
        noteDescriptorLocation(section: ".note.gnu.build-id", owner: "GNU", type: 3)
    }

    private func noteDescriptorLocation(section name: String, owner: String, type: UInt32) -> (address: UInt64, count: Int)? {
        guard let s = image.section(named: name), s.address != 0, let bytes = image.sectionPointer(s),
              bytes.count >= 12 else { return nil }
        let nameSize = Int(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let descSize = Int(bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let descStart = 12 + ((nameSize + 3) & ~3)
        guard descStart + descSize <= bytes.count else { return nil }
        return (s.address + UInt64(descStart), descSize)
    }

    static func noteDescriptor(_ data: UnsafeRawBufferPointer, owner: String, type: UInt32) -> [UInt8]? {
        var found: [UInt8]?
        CoreDump.forEachNote(data) { o, t, desc in
            if found == nil, o == owner, t == type { found = Array(desc) }
        }
        return found
    }

    static func readSymbols(_ image: ELFImage) -> [ELFSymbol] {
        guard let symtab = image.sections.first(where: { $0.type == UInt32(SHT_SYMTAB) }),
              let scn = elf_getscn(image.elf, symtab.index) else { return [] }
        var shdr = GElf_Shdr()
        guard gelf_getshdr(scn, &shdr) != nil, let data = elf_getdata(scn, nil) else { return [] }
        let count = shdr.sh_entsize > 0 ? Int(shdr.sh_size / shdr.sh_entsize) : 0
        var result: [ELFSymbol] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            var sym = GElf_Sym()
            guard gelf_getsym(data, Int32(i), &sym) != nil else { continue }
            let type = Int32(sym.st_info & 0xf)
            guard type == STT_FUNC || type == STT_OBJECT, sym.st_value != 0 else { continue }
            guard let namePtr = elf_strptr(image.elf, Int(shdr.sh_link), Int(sym.st_name)) else { continue }
            result.append(ELFSymbol(name: String(cString: namePtr), address: sym.st_value,
                                    size: sym.st_size, isFunction: type == STT_FUNC))
        }
        return result
    }

    /// Decodes `.go.buildinfo`: 16-byte magic, pointer size, flags; inline varint-prefixed strings (Go 1.18+).
    static func parseBuildInfo(_ data: UnsafeRawBufferPointer) -> (version: String, settings: String)? {
        let magic: [UInt8] = [0xff] + Array(" Go buildinf:".utf8)  // 14 bytes; "\u{ff}" would be 2 in UTF-8
        guard data.count >= 32, Array(data[0..<14]) == magic else { return nil }
        let flags = data[15]
        guard flags & 2 != 0 else { return nil }  // pre-1.18 pointer form: not supported
        var p = 32
        func readString() -> String? {
            var length = 0, shift = 0
            while p < data.count {
                let b = data[p]; p += 1
                length |= Int(b & 0x7f) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                if shift > 56 { return nil }
            }
            guard length >= 0, p + length <= data.count else { return nil }
            defer { p += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: data[p..<(p + length)]), as: UTF8.self)
        }
        guard let version = readString() else { return nil }
        var settings = readString() ?? ""
        // The module info is framed by 16-byte sentinels.
        if settings.utf8.count >= 33 {
            settings = String(decoding: Array(settings.utf8).dropFirst(16).dropLast(16), as: UTF8.self)
        }
        return (version, settings)
    }
}

extension String {
    /// Two lower-case hex digits of a byte.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}
