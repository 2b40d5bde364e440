import Foundation
import Testing
@testable import Reports

/// Feeds a written profile to the real `go tool pprof` and checks what it prints.
@Suite(.serialized,
       .enabled(if: GoToolchain.path != nil,
                "no Go toolchain: set COREVIEW_GO, put go on PATH, or install one under ~/.cache/coreview/go"),
       .timeLimit(.minutes(10)))
struct GoPprofEndToEndTests {
    /// Samples added, as (leaf-first frame names, [retained_space, retained_objects]).
    static let samples: [([String], [Int64])] = [
        (["*main.Block", "map[string]*main.Block", "main.cache", "root"], [600_000, 600]),
        (["*main.Block", "map[string]*main.Block", "main.cache", "root"], [100_000, 100]),  // merged
        (["map[string]*main.Block", "main.cache", "root"], [200_000, 1]),
        (["main.globals", "root"], [99_000, 3]),
        (["root"], [1_000, 1]),
    ]

    static func total(_ column: Int) -> Int64 { samples.reduce(0) { $0 + $1.1[column] } }

    /// Writes `samples` (root -> main.cache -> map -> *main.Block, plus siblings) to a temp dir.
    static func writeProfile() throws -> (dir: URL, file: URL) {
        var p = PprofProfile(sampleTypes: [("retained_space", "bytes"), ("retained_objects", "count")],
                             defaultSampleType: "retained_space")
        for (names, values) in samples {
            p.addSample(stack: names.map { p.location(named: $0) }, values: values)
        }
        p.comments = ["coreview test profile"]

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pprof-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("retained.pb.gz")
        try Data(p.gzipped()).write(to: file)
        return (dir, file)
    }

    @Test func topShowsTotalAndFunctions() throws {
        let (dir, file) = try Self.writeProfile()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try GoToolchain.run(["tool", "pprof", "-top", "-sample_index=retained_space", "-unit=B", file.path], in: dir)
        #expect(out.contains("of \(Self.total(0))B total"))
        #expect(out.contains("main.cache"))
        #expect(out.contains("*main.Block"))
        #expect(out.contains("Type: retained_space"))

        #expect(out.contains("coreview test profile"))  // comments head the report

        let objects = try GoToolchain.run(["tool", "pprof", "-top", "-sample_index=retained_objects", file.path], in: dir)
        #expect(objects.contains("of \(Self.total(1)) total"))

        // Without -sample_index pprof uses default_sample_type.
        let byDefault = try GoToolchain.run(["tool", "pprof", "-top", "-unit=B", file.path], in: dir)
        #expect(byDefault.contains("Type: retained_space"))
        #expect(byDefault.contains("of \(Self.total(0))B total"))
    }

    @Test func tracesListLeafFirstWithRootAtBottom() throws {
        let (dir, file) = try Self.writeProfile()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try GoToolchain.run(["tool", "pprof", "-traces", "-sample_index=retained_space", file.path], in: dir)
        // Each trace block lists frames leaf first; find the deepest one.
        let blocks = out.components(separatedBy: "-----------+-------------------------------------------------------")
        let deepest = try #require(blocks.first { $0.contains("*main.Block") })
        let frames = deepest.split(separator: "\n").compactMap { line -> String? in
            let name = line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
            return name.flatMap { ["*main.Block", "map[string]*main.Block", "main.cache", "root"].contains($0) ? $0 : nil }
        }
        #expect(frames == ["*main.Block", "map[string]*main.Block", "main.cache", "root"])
    }

    @Test func rawShowsMergedSample() throws {
        let (dir, file) = try Self.writeProfile()
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = try GoToolchain.run(["tool", "pprof", "-raw", file.path], in: dir)
        #expect(raw.contains("retained_space/bytes"))
        #expect(raw.contains("retained_space/bytes[dflt]"))
        // The two identical stacks were merged into one sample; ids are leaf first.
        let lines = raw.split(separator: "\n")
        var names: [String: String] = [:]  // location id -> function, from "  1: 0x0 M=1 root :0:0 s=0"
        for line in lines.drop(while: { $0 != "Locations" }).dropFirst().prefix(while: { $0 != "Mappings" }) {
            let parts = line.split(separator: " ")
            if parts.count >= 4 { names[String(parts[0].dropLast())] = String(parts[3]) }
        }
        let merged = lines.filter { $0.split(separator: " ").first == "700000" }
        try #require(merged.count == 1)
        let ids = merged[0].split(separator: ":")[1].split(separator: " ").map(String.init)
        #expect(ids.map { names[$0] ?? "?" } == ["*main.Block", "map[string]*main.Block", "main.cache", "root"])
        #expect(merged[0].split(separator: ":")[0].split(separator: " ").last == "700")
    }
}
