import Foundation
import Testing
@testable import GoRuntime

/// Bad input: one line on stderr and a documented exit code, never a crash or a hang.
@Suite(.serialized) struct BadInputTests {
    var fixture: Fixture { FixtureStore.named("globalmap").first { $0.version == "go1.22" } ?? FixtureStore.named("globalmap")[0] }

    func expectOneLine(_ r: CLI.Result, status: Int32, mentions: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "exit \(r.status), stderr: \(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mentions), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func missingFile() {
        expectOneLine(CLI.run(["overview", "/nonexistent/core.123"]), status: 3, mentions: "cannot open /nonexistent/core.123")
    }

    @Test func notELF() {
        let path = FixtureStore.repository.appendingPathComponent("Package.swift").path
        expectOneLine(CLI.run(["overview", path]), status: 4, mentions: "is not an ELF file")
    }

    @Test func executablePassedAsCore() {
        let (_, exe) = FixtureStore.paths(fixture)
        expectOneLine(CLI.run(["overview", exe]), status: 5, mentions: "is not a core file")
    }

    @Test func truncatedCoreStillReadsWhatIsThere() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let cut = dir.appendingPathComponent("core.half").path
        let size = try #require((try FileManager.default.attributesOfItem(atPath: core))[.size] as? Int)
        #expect(Scratch.sh("cp --sparse=always '\(core)' '\(cut)' && truncate -s \(size / 2) '\(cut)'") == 0)
        let r = CLI.run(["overview", cut, "--exe", exe, "--json"])
        #expect(r.status == 10, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("truncated"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        let json = try #require(parsed as? [String: Any])
        #expect(json["goVersion"] as? String == fixture.truth.goVersion)
        #expect((json["threads"] as? [Any])?.count == fixture.truth.threads)
        let missing = (json["mappings"] as? [[String: Any]] ?? []).filter { m in
            let start = UInt64((m["start"] as! String).dropFirst(2), radix: 16)!
            let end = UInt64((m["end"] as! String).dropFirst(2), radix: 16)!
            return (m["inCore"] as! Int) < Int(end - start) && m["permissions"] as? String == "rw-"
        }
        #expect(!missing.isEmpty)
        // The heap commands still answer from what is there, with warnings and exit status 10.
        let h = CLI.run(["histogram", cut, "--exe", exe])
        #expect(h.status == 10 || h.status == 11, "stderr: \(h.stderr)")
        #expect(!h.stderr.isEmpty)
    }

    @Test func coreOfANonGoProcess() throws {
        let core = FixtureStore.file("nongo/sleep/core")
        let exe = FixtureStore.file("nongo/sleep/sleep")
        expectOneLine(CLI.run(["overview", core, "--exe", exe]), status: 6, mentions: "not the core of a Go process")
    }

    @Test func wrongExecutable() throws {
        let (core, _) = FixtureStore.paths(fixture)
        let other = try #require(FixtureStore.all.first { $0.version != fixture.version })
        let (_, otherExe) = FixtureStore.paths(other)
        expectOneLine(CLI.run(["overview", core, "--exe", otherExe]), status: 7, mentions: "does not belong to this core")
        let forced = CLI.run(["overview", core, "--exe", otherExe, "--force"])
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("differs"))
    }

    @Test func executableWithoutDWARF() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let stripped = dir.appendingPathComponent("fixture-nodwarf").path
        #expect(Scratch.sh("objcopy --strip-debug '\(exe)' '\(stripped)'") == 0)
        // The overview needs no DWARF.
        #expect(CLI.run(["overview", core, "--exe", stripped]).status == 0)
        // The heap does, and says so.
        expectOneLine(CLI.run(["histogram", core, "--exe", stripped]), status: 8, mentions: "no DWARF")
    }

    @Test func unsupportedGoVersion() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let version = try #require(fixture.truth.goVersion)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let patched = dir.appendingPathComponent("fixture-go1.99").path
        // Same length, so nothing moves: "go1.22.10" -> "go1.99.10".
        let fake = "go1.99" + version.dropFirst(6)
        #expect(Scratch.sh("cp '\(exe)' '\(patched)' && LC_ALL=C sed -i 's/\(version)/\(fake)/g' '\(patched)'") == 0)
        expectOneLine(CLI.run(["histogram", core, "--exe", patched]), status: 9, mentions: "unsupported Go version go1.99")
    }

    @Test func corruptedSpanListIsAnErrorNotACrash() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let bad = Scratch.copy(core, to: dir, as: "core.badspans")
        // Overwrite len(mheap_.allspans) in the core with an absurd value.
        let found = try SymbolProbe.allspansLength(core: core, exe: exe)
        let address = try #require(found)
        try CorePatcher.write(UInt64(1) << 40, at: address, core: bad)
        expectOneLine(CLI.run(["histogram", bad, "--exe", exe]), status: 11, mentions: "allspans")
    }

    @Test func damagedSpansAreSkippedWithWarnings() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let bad = Scratch.copy(core, to: dir, as: "core.damaged")
        // Scribble over the first few span descriptors' npages fields.
        for address in try SymbolProbe.firstSpanNPages(core: core, exe: exe, count: 3) {
            try CorePatcher.write(UInt64(1) << 50, at: address, core: bad)
        }
        let r = CLI.run(["histogram", bad, "--exe", exe])
        #expect(r.status == 0 || r.status == 10, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("skipped"))
        #expect(r.stdout.contains("main.Block"))
    }
}

extension BadInputTests {
    /// A core whose runtime.buildVersion is damaged still gets its version from the executable.
    @Test func damagedBuildVersionFallsBackToTheExecutable() throws {
        let (core, exe) = FixtureStore.paths(fixture)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let bad = Scratch.copy(core, to: dir, as: "core.badversion")
        let g = try SymbolProbe.go(core: core, exe: exe)
        let address = try #require(g.address(of: "runtime.buildVersion"))
        try CorePatcher.write(0xdead_beef_0000, at: address, core: bad)  // the string's data pointer
        let json = try #require(CLI.json(["overview", bad, "--exe", exe]) as? [String: Any])
        #expect(json["goVersion"] as? String == fixture.truth.goVersion)
        #expect(json["goVersionSource"] as? String == ".go.buildinfo")
    }
}
