import Foundation
import Testing
@testable import CoreFile

/// Random damage to a core (garbage or stray heap pointers written over heap objects, span
/// descriptors and the runtime's data) never crashes or hangs coreview: every run ends with an
/// answer (0), an answer with warnings (10), "runtime does not decode" (11) or "query matched
/// nothing" (12), each error a single line.
@Suite(.serialized) struct DamageFuzzTests {
    static let seeds: [UInt64] = Array(1...10)

    @Test(arguments: seeds)
    func randomDamageIsNeverACrash(_ seed: UInt64) throws {
        let f = FixtureStore.named("zoo").first { $0.version == "go1.25" } ?? FixtureStore.named("zoo")[0]
        let (core, exe) = FixtureStore.paths(f)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let bad = Scratch.copy(core, to: dir, as: "core.fuzz")

        // Writable segments stored in the core: the heap arenas and the runtime's data and bss.
        let dump = try CoreDump(path: core)
        let writable = dump.segments.filter { $0.presentSize >= 4096 && $0.header.writable }
        let heap = writable.filter { $0.start >= 0xc0_0000_0000 && $0.start < 0xc1_0000_0000 }
        try #require(!heap.isEmpty)
        var rng = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return rng >> 11
        }
        for i in 0..<400 {
            let segments = i % 4 == 0 ? writable : heap
            let s = segments[Int(next() % UInt64(segments.count))]
            let address = s.start + (next() % (s.presentSize / 8)) * 8
            // Half garbage, half plausible pointers into the heap (the worst kind of damage).
            let h = heap[Int(next() % UInt64(heap.count))]
            let value = i % 2 == 0 ? next() : h.start + (next() % h.presentSize)
            try CorePatcher.write(value, at: address, core: bad)
        }
        let planted = try #require(f.truth.planted?.first { !$0.isInline }?.histogramType)
        for command in [["retainers", bad, "--exe", exe, "--type", planted], ["top", bad, "--exe", exe]] {
            let status = Scratch.sh("timeout 120 '\(CLI.binary)' \(command.map { "'\($0)'" }.joined(separator: " ")) >/dev/null 2>'\(dir.path)/err'")
            let err = (try? String(contentsOfFile: "\(dir.path)/err", encoding: .utf8)) ?? ""
            #expect([0, 10, 11, 12].contains(status), "seed \(seed) \(command[0]): exit \(status), stderr: \(err.prefix(2000))")
            if status == 11 || status == 12 {
                let errors = err.split(separator: "\n").filter { !$0.hasPrefix("coreview: warning:") }
                #expect(errors.count == 1, "seed \(seed): \(err.prefix(2000))")
            }
        }
    }
}
