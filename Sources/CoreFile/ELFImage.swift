import CElfutils

/// One ELF program header, as the file states it.
public struct ProgramHeader: Sendable, Hashable {
    public var type: UInt32
    public var flags: UInt32
    public var offset: UInt64
    public var vaddr: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var align: UInt64

    public var isLoad: Bool { type == UInt32(PT_LOAD) }
    public var readable: Bool { flags & UInt32(PF_R) != 0 }
    public var writable: Bool { flags & UInt32(PF_W) != 0 }
    public var executable: Bool { flags & UInt32(PF_X) != 0 }
    /// "rwx" style, with dashes for missing permissions.
    public var permissions: String {
        (readable ? "r" : "-") + (writable ? "w" : "-") + (executable ? "x" : "-")
    }
}

/// One ELF section header with its name resolved.
public struct SectionHeader: Sendable, Hashable {
    public var name: String
    public var type: UInt32
    public var flags: UInt64
    public var address: UInt64
    public var offset: UInt64
    public var size: UInt64
    public var index: Int

    public var isCompressed: Bool { flags & UInt64(SHF_COMPRESSED) != 0 }
    public var occupiesFile: Bool { type != UInt32(SHT_NOBITS) }
}

/// An ELF file (core or executable) opened through libelf over a read-only mapping.
///
/// Holds the headers parsed once; section and segment bytes are read from `file`'s mapping on demand.
/// Invariant: `elf` stays valid until deinit; only 64-bit little-endian files are accepted.
public final class ELFImage: @unchecked Sendable {
    public let file: MappedFile
    public let elf: OpaquePointer
    public let elfType: UInt16
    public let machine: UInt16
    public let entry: UInt64
    public let programHeaders: [ProgramHeader]
    public let sections: [SectionHeader]

    public var path: String { file.path }

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        self.file = file
        // Check the magic ourselves so that "not ELF" gets a clear answer before libelf is involved.
        guard file.size >= 16,
              let magic = file.load(UInt32.self, at: 0), magic == 0x464C_457F else {
            throw CoreviewError.notELF(path: path)
        }
        guard file.load(UInt8.self, at: 4) == 2 /* ELFCLASS64 */, file.load(UInt8.self, at: 5) == 1 /* LSB */ else {
            throw CoreviewError.unsupportedArchitecture(path: path, machine: "a 32-bit or big-endian machine")
        }
        ELFImage.initializeLibelf
        guard let elf = elf_begin(file.descriptor, ELF_C_READ_MMAP, nil) else {
            throw CoreviewError.notELF(path: path)
        }
        self.elf = elf
        var ehdr = GElf_Ehdr()
        guard elf_kind(elf) == ELF_K_ELF, gelf_getehdr(elf, &ehdr) != nil else {
            elf_end(elf)
            throw CoreviewError.notELF(path: path)
        }
        elfType = ehdr.e_type
        machine = ehdr.e_machine
        entry = ehdr.e_entry

        var phdrs: [ProgramHeader] = []
        var count = 0
        if elf_getphdrnum(elf, &count) == 0 {
            phdrs.reserveCapacity(count)
            for i in 0..<count {
                var ph = GElf_Phdr()
                guard gelf_getphdr(elf, Int32(i), &ph) != nil else { continue }
                phdrs.append(ProgramHeader(type: ph.p_type, flags: ph.p_flags, offset: ph.p_offset,
                                           vaddr: ph.p_vaddr, fileSize: ph.p_filesz,
                                           memorySize: ph.p_memsz, align: ph.p_align))
            }
        }
        programHeaders = phdrs

        var shdrs: [SectionHeader] = []
        var stringIndex = 0
        if elf_getshdrstrndx(elf, &stringIndex) == 0 {
            var scn = elf_nextscn(elf, nil)
            while let s = scn {
                var sh = GElf_Shdr()
                if gelf_getshdr(s, &sh) != nil {
                    let name = elf_strptr(elf, stringIndex, Int(sh.sh_name)).map { String(cString: $0) } ?? ""
                    shdrs.append(SectionHeader(name: name, type: sh.sh_type, flags: sh.sh_flags,
                                               address: sh.sh_addr, offset: sh.sh_offset, size: sh.sh_size,
                                               index: Int(elf_ndxscn(s))))
                }
                scn = elf_nextscn(elf, s)
            }
        }
        sections = shdrs
    }

    deinit { elf_end(elf) }

    private static let initializeLibelf: Void = { _ = elf_version(UInt32(EV_CURRENT)) }()

    public var isCore: Bool { elfType == UInt16(ET_CORE) }
    public var typeName: String {
        switch Int32(elfType) {
        case ET_EXEC: return "executable"
        case ET_DYN: return "shared object or PIE executable"
        case ET_REL: return "relocatable object"
        case ET_CORE: return "core"
        default: return "file of type \(elfType)"
        }
    }
    public var machineName: String {
        switch Int32(machine) {
        case EM_X86_64: return "x86-64"
        case EM_AARCH64: return "arm64"
        case EM_386: return "x86"
        case EM_RISCV: return "riscv"
        case EM_PPC64: return "ppc64"
        case EM_S390: return "s390x"
        default: return "machine \(machine)"
        }
    }

    public func section(named name: String) -> SectionHeader? {
        sections.first { $0.name == name }
    }

    /// The bytes of a section, decompressed if it is SHF_COMPRESSED. Nil if absent or unreadable.
    public func sectionBytes(_ section: SectionHeader) -> [UInt8]? {
        guard section.occupiesFile else { return nil }
        if !section.isCompressed {
            guard let p = file.pointer(at: Int(section.offset), count: Int(section.size)) else { return nil }
            return Array(UnsafeRawBufferPointer(start: p, count: Int(section.size)))
        }
        guard let scn = elf_getscn(elf, section.index) else { return nil }
        // elf_compress with type 0 decompresses in libelf's own copy of the section.
        guard elf_compress(scn, 0, 0) >= 0, let data = elf_getdata(scn, nil), let buf = data.pointee.d_buf else {
            return nil
        }
        return Array(UnsafeRawBufferPointer(start: buf, count: Int(data.pointee.d_size)))
    }

    /// A pointer into the mapping for an uncompressed section's bytes, without copying.
    public func sectionPointer(_ section: SectionHeader) -> UnsafeRawBufferPointer? {
        guard section.occupiesFile, !section.isCompressed,
              let p = file.pointer(at: Int(section.offset), count: Int(section.size)) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(section.size))
    }
}
