import Foundation
import Testing
@testable import CoreFile

/// The core reader and address space (issue 2, points 2-4) on every fixture: the auxiliary vector,
/// the main executable named by NT_FILE, text read from the executable where the core left it out,
/// anonymous memory the core did not store read as zeros, and unmapped addresses as errors.
@Suite(.serialized) struct CoreReaderTests {
    @Test(arguments: FixtureStore.all)
    func auxvAndTheExecutableTheCoreNames(_ f: Fixture) throws {
        let (core, exe) = FixtureStore.paths(f)
        let process = try DumpedProcess(corePath: core, executablePath: exe)
        let dump = process.core
        #expect(dump.auxv[CoreDump.auxPageSize] == 4096)
        // AT_ENTRY is the executable's entry point, moved by the load bias (PIE).
        let entry = try #require(dump.auxv[CoreDump.auxEntry])
        #expect(entry &- process.memory.loadBias == process.executable!.image.entry)
        // NT_FILE's mapping at AT_ENTRY is the fixture program.
        let named = try #require(dump.executablePathFromCore)
        #expect(URL(fileURLWithPath: named).lastPathComponent == "fixture", "\(named)")
    }

    @Test(arguments: FixtureStore.all)
    func memoryComesFromTheCoreTheExecutableOrZeros(_ f: Fixture) throws {
        let (core, exe) = FixtureStore.paths(f)
        let process = try DumpedProcess(corePath: core, executablePath: exe)
        let memory = process.memory
        let executable = try #require(process.executable)

        // runtime.main's code: kernel cores leave text out, so it comes from the executable's file.
        let symbol = try #require(executable.symbol(named: "runtime.main"))
        let text = try #require(executable.image.sections.first { $0.name == ".text" })
        let address = symbol.address &+ memory.loadBias
        let bytes = try memory.read(address, count: 64)
        let fileOffset = Int(text.offset + (symbol.address - text.address))
        let fromFile = Array(UnsafeRawBufferPointer(start: executable.image.file.bytes + fileOffset, count: 64))
        #expect(bytes == fromFile)
        if !f.truth.isGcore {
            #expect(memory.region(of: address)?.source == .executable)
            #expect(memory.readFromCoreOnly(address, count: 64) == nil)
        }

        // An unmapped address is an error value, not a crash.
        #expect(memory.u64(0x10) == nil)
        #expect(throws: UnreadableAddress.self) { try memory.read(0x10, count: 8) }
    }

    /// A segment whose file size is smaller than its memory size reads as zeros past the file part
    /// (a copy of a core whose heap segment header is patched to store one page less).
    @Test func memoryPastASegmentsFilePartReadsAsZeros() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let (core, exe) = FixtureStore.paths(f)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let copy = Scratch.copy(core, to: dir, as: "core.short-segment")
        let dump = try CoreDump(path: core)
        let index = try #require(dump.segments.firstIndex { s in
            s.header.writable && s.header.fileSize == s.header.memorySize && s.header.fileSize >= 2 * 4096
                && !dump.mappings.contains { $0.start < s.end && s.start < $0.end }
        })
        let segment = dump.segments[index]
        // p_filesz of that PT_LOAD header, in the file (program headers are 56 bytes; p_filesz at 32).
        let phoff = dump.image.file.bytes.loadUnaligned(fromByteOffset: 32, as: UInt64.self)
        let loadIndex = try #require(dump.image.programHeaders.firstIndex { $0.isLoad && $0.vaddr == segment.start })
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
        try handle.seek(toOffset: phoff + UInt64(loadIndex) * 56 + 32)
        var shorter = (segment.header.fileSize - 4096).littleEndian
        try handle.write(contentsOf: Data(bytes: &shorter, count: 8))
        try handle.close()

        let process = try DumpedProcess(corePath: copy, executablePath: exe)
        let lastPage = segment.end - 4096
        #expect(process.memory.region(of: lastPage)?.source == .zeros)
        #expect(try process.memory.read(lastPage, count: 4096).allSatisfy { $0 == 0 })
        // The stored part still reads from the core, as in the original.
        let original = try DumpedProcess(corePath: core, executablePath: exe)
        #expect(try process.memory.read(segment.start, count: 4096) == original.memory.read(segment.start, count: 4096))
    }

    /// Without --exe, the executable NT_FILE names is used when it exists, and its absence is a
    /// one-line error naming it.
    @Test func theExecutableDefaultsToTheOneTheCoreNames() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let (core, _) = FixtureStore.paths(f)
        let dump = try CoreDump(path: core)
        let named = try #require(dump.executablePathFromCore)
        if access(named, R_OK) != 0 {
            let r = CLI.run(["overview", core])
            #expect(r.status == 3, "stderr: \(r.stderr)")
            #expect(r.stderr.contains(named))
            #expect(r.stderr.split(separator: "\n").count == 1)
        } else {
            let process = try DumpedProcess(corePath: core, executablePath: nil)
            #expect(process.executable?.path == named)
        }
    }
}
