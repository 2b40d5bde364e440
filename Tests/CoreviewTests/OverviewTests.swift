import Foundation
import Testing
@testable import Analysis
@testable import CoreFile
@testable import GoRuntime

/// `coreview overview` against what every fixture program recorded: Go version, threads, pid.
@Suite(.serialized) struct OverviewTests {
    @Test(arguments: FixtureStore.all)
    func overviewMatchesTruth(_ f: Fixture) throws {
        let (core, exe) = FixtureStore.paths(f)
        let process = try DumpedProcess(corePath: core, executablePath: exe)
        let o = Overview(process: process)
        #expect(o.goVersion == f.truth.goVersion)
        #expect(o.goVersionSource == GoVersionSource.runtimeBuildVersion.rawValue)
        #expect(o.threads.count == f.truth.threads)
        #expect(o.pid == f.truth.pid)
        // gcore stops the process with SIGSTOP; the kernel dumps it at the SIGABRT.
        #expect(o.signal == (f.truth.isGcore ? "SIGSTOP" : "SIGABRT"))
        #expect(process.buildIDCheck == .matched(process.executable!.goBuildID!))
        #expect(o.mappings.count > 5)
        #expect(process.warnings.isEmpty)
        // The executable's build info names the same version (the fallback when the core's is damaged).
        #expect(process.executable?.buildInfoVersion == f.truth.goVersion)
    }

    @Test func jsonFieldsAreTheDocumentedOnes() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let (core, exe) = FixtureStore.paths(f)
        let json = try #require(CLI.json(["overview", core, "--exe", exe]) as? [String: Any])
        for key in ["goVersion", "executable", "buildID", "pid", "processName", "threads", "mappings"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let threads = try #require(json["threads"] as? [[String: Any]])
        #expect(threads.count == f.truth.threads)
        #expect((threads.first?["pc"] as? String)?.hasPrefix("0x") == true)
        let mappings = try #require(json["mappings"] as? [[String: Any]])
        let first = try #require(mappings.first)
        for key in ["start", "end", "permissions", "file", "offset", "inCore"] { #expect(first.keys.contains(key)) }
        #expect(json["pid"] as? Int == Int(f.truth.pid))
    }

    @Test func textOverviewNamesTheEssentials() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let (core, exe) = FixtureStore.paths(f)
        let r = CLI.run(["overview", core, "--exe", exe, "--mappings"])
        #expect(r.status == 0)
        #expect(r.stdout.contains(f.truth.goVersion!))
        #expect(r.stdout.contains("pid \(f.truth.pid)"))
        #expect(r.stdout.contains("SIGABRT"))
        #expect(r.stdout.contains("r-x"))
    }
}
