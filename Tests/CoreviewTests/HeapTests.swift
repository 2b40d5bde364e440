import Foundation
import Testing
@testable import Analysis
@testable import CoreFile
@testable import GoRuntime

/// The heap walk and types (issue 3) against every fixture of every Go version.
@Suite(.serialized) struct HeapTests {
    static func analysis(_ f: Fixture) throws -> HeapAnalysis {
        let (core, exe) = FixtureStore.paths(f)
        return try HeapAnalysis(process: DumpedProcess(corePath: core, executablePath: exe))
    }

    @Test(arguments: FixtureStore.all)
    func totalsAgreeWithMemStats(_ f: Fixture) throws {
        let memstats = try #require(f.truth.memstats)
        let a = try HeapTests.analysis(f)
        let totals = a.heap.totals
        // Bytes as the runtime counts them: within 1% (the program allocates a little after ReadMemStats).
        let bytesError = abs(Double(totals.bytes) - Double(memstats.HeapAlloc)) / Double(memstats.HeapAlloc)
        #expect(bytesError < 0.01, "heap bytes \(totals.bytes) vs HeapAlloc \(memstats.HeapAlloc)")
        let objectsError = abs(Double(totals.objects) - Double(memstats.HeapObjects)) / Double(memstats.HeapObjects)
        // Objects: the same, with room for the few the program allocates writing truth.json.
        #expect(objectsError < 0.01 || abs(totals.objects - Int(memstats.HeapObjects)) <= 16,
                "objects \(totals.objects) vs HeapObjects \(memstats.HeapObjects)")
        let inUseError = abs(Double(totals.inUse) - Double(memstats.HeapInuse)) / Double(memstats.HeapInuse)
        #expect(inUseError < 0.02, "in-use \(totals.inUse) vs HeapInuse \(memstats.HeapInuse)")
        #expect(a.heap.scanFailures.isEmpty, "\(a.heap.scanFailures.prefix(3))")
        #expect(a.heap.runtimeTypes.rejected.isEmpty)
        // The histogram accounts for the same bytes (tiny blocks are split, not inflated).
        let h = Histogram(heap: a.heap, tinyValues: a.typing.tinyValues)
        #expect(h.bytes == totals.bytes)
        #expect(Double(h.knownObjects) > 0.9 * Double(h.objects), "only \(h.knownObjects) of \(h.objects) objects typed")
    }

    @Test(arguments: FixtureStore.all.filter { $0.truth.planted != nil })
    func plantedTypesHaveExactCounts(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let h = Histogram(heap: a.heap, tinyValues: a.typing.tinyValues)
        var counts: [String: Int] = [:]
        for row in h.rows { counts[row.type] = row.objects }
        // Several planted entries can be the same type (the shared scenario's two Holders).
        var expected: [String: Int] = [:]
        for p in f.truth.planted ?? [] where !p.isInline && p.isTypeable(goVersion: f.truth.goVersion!) && !p.isOneHeapArray && !p.isInteriorOnly(minor: f.minor) {
            expected[p.histogramType, default: 0] += p.objectCount
        }
        for s in f.truth.shared ?? [] { expected[s.type, default: 0] += s.count }
        for (type, n) in expected {
            #expect(counts[type] == n, "\(f.version)/\(f.program): \(type) has \(counts[type] ?? 0) objects, planted \(n)")
        }
        // Heap arrays: the object at each sample address is an array of the element type.
        for p in f.truth.planted ?? [] where p.isOneHeapArray && !p.isInteriorOnly(minor: f.minor) {
            for s in p.sampleAddresses {
                let address = try #require(UInt64(s.dropFirst(2), radix: 16))
                let id = try #require(a.heap.objectID(containing: address))
                #expect(a.heap.typeName(HeapTypeRef(raw: a.heap.objectTypes[Int(id)])) == p.histogramType)
            }
        }
    }

    @Test(arguments: FixtureStore.all.filter { $0.truth.planted != nil })
    func sampleAddressesAreObjectsOfTheirType(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        for p in f.truth.planted ?? [] where p.isTypeable(goVersion: f.truth.goVersion!) && !p.isOneHeapArray && !p.isInteriorOnly(minor: f.minor) {
            for s in p.sampleAddresses {
                let address = try #require(UInt64(s.dropFirst(2), radix: 16))
                let id = try #require(a.heap.objectID(containing: address), "\(s) is not a heap object")
                let start = a.heap.address(ofObject: id)
                if p.type == "main.Tiny" {
                    #expect(a.typing.tinyValues.contains { $0.key == UInt64(id) << 4 | (address - start) })
                } else {
                    #expect(start == address, "\(p.type) sample \(s) starts at 0x\(String(start, radix: 16))")
                    #expect(a.heap.typeName(HeapTypeRef(raw: a.heap.objectTypes[Int(id)])) == p.type)
                }
            }
        }
    }
}
