import Foundation
@testable import CoreFile
@testable import GoRuntime

/// Finds addresses of runtime fields in a fixture core, to damage copies of it on purpose.
enum SymbolProbe {
    static func go(core: String, exe: String) throws -> GoProcess {
        try GoProcess(DumpedProcess(corePath: core, executablePath: exe))
    }

    /// The address of len(runtime.mheap_.allspans).
    static func allspansLength(core: String, exe: String) throws -> UInt64? {
        let g = try go(core: core, exe: exe)
        guard let mheap = g.address(of: "runtime.mheap_"), let off = try g.layout("runtime.mheap").offset(of: "allspans") else { return nil }
        return mheap + off + 8
    }

    /// The addresses of the `npages` field of the first `count` in-use span descriptors.
    static func firstSpanNPages(core: String, exe: String, count: Int) throws -> [UInt64] {
        let g = try go(core: core, exe: exe)
        let heap = try GoHeap(process: g)
        let npages = try g.layout("runtime.mspan").require("npages")
        return heap.spans.spans.prefix(count).map { $0.descriptor + npages }
    }
}

/// Writes bytes into a core file at the file offset that holds a given address.
enum CorePatcher {
    static func write(_ value: UInt64, at address: UInt64, core path: String) throws {
        let core = try CoreDump(path: path)
        guard let seg = core.segments.first(where: { $0.start <= address && address + 8 <= $0.start + $0.presentSize }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let offset = seg.header.offset + (address - seg.start)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: offset)
        var v = value.littleEndian
        try handle.write(contentsOf: Data(bytes: &v, count: 8))
        try handle.close()
    }
}
