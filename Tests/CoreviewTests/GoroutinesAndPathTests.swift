import Foundation
import Testing
@testable import Analysis
@testable import CoreFile
@testable import GoRuntime

/// `goroutines`, `path` and the heap section of `overview`.
@Suite(.serialized) struct GoroutinesAndPathTests {
    @Test(arguments: FixtureStore.named("goroutines"))
    func parkedWorkersShowTheirFramesAndRetention(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let list = GoroutineList(analysis: a)
        let workers = list.goroutines.filter { g in g.frames.contains { $0.function == "main.worker" } }
        #expect(workers.count == 10)
        let expected = try #require(f.truth.planted?.first { $0.root.function == "main.worker" }?.retainedBytes)
        let total = workers.reduce(UInt64(0)) { $0 + $1.retainedBytes }
        #expect(DominatorTests.close(total, expected), "workers retain \(total), measured \(expected)")
        for w in workers {
            #expect(w.status == "waiting")
            #expect(w.waitReason == "chan receive")
            #expect(w.createdBy?.hasPrefix("main.scenGoroutines") == true, "\(w.createdBy ?? "nil")")
            #expect(w.frames.first?.function == "runtime.gopark")
            #expect(w.frames.last?.function == "runtime.goexit")
            let frame = try #require(w.frames.first { $0.function == "main.worker" })
            #expect(frame.file.hasSuffix("goroutines.go") && frame.line > 0)
        }
        #expect(list.goroutines.contains { $0.id == 1 && $0.frames.contains { $0.function == "main.main" } })
    }

    @Test(arguments: FixtureStore.named("busy"))
    func runningGoroutinesAreUnwoundThroughSignalFrames(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let list = GoroutineList(analysis: a)
        let spinners = list.goroutines.filter { g in g.frames.contains { $0.function == "main.spin" } }
        #expect(spinners.count == 4)
        let running = spinners.filter { $0.status == "running" }
        // At a crash two spinners were preempted by the crash handler; gcore stops all four where they run.
        #expect(running.count == (f.truth.isGcore ? 4 : 2), "\(spinners.map(\.status))")
        for g in running {
            let top = g.frames.first?.function
            #expect(top == "main.spinForever" || (f.truth.isGcore && top == "main.spin"), "\(g.frames.map(\.function))")
            #expect(g.frames.last?.function == "runtime.goexit")
        }
        #expect(spinners.allSatisfy { $0.retainedBytes > 500_000 })
    }

    @Test func goroutinesJSONHasTheFields() throws {
        let f = try #require(FixtureStore.named("goroutines").first)
        let (core, exe) = FixtureStore.paths(f)
        let json = try #require(CLI.json(["goroutines", core, "--exe", exe]) as? [String: Any])
        let list = try #require(json["goroutines"] as? [[String: Any]])
        let g = try #require(list.first { ($0["frames"] as? [[String: Any]])?.contains { $0["function"] as? String == "main.worker" } == true })
        for key in ["id", "status", "waitReason", "createdBy", "frames", "retainedBytes"] { #expect(g.keys.contains(key)) }
        let frame = try #require((g["frames"] as? [[String: Any]])?.first)
        for key in ["function", "file", "line"] { #expect(frame.keys.contains(key)) }
    }

    @Test(arguments: FixtureStore.named("linkedlist"))
    func pathToAListNodeStartsAtTheHead(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let planted = try #require(f.truth.planted?.first)
        for s in planted.sampleAddresses {
            let q = try PathQuery(analysis: a, address: UInt64(s.dropFirst(2), radix: 16)!)
            #expect(q.owner == "main.head")
            guard case let .reachable(steps) = q.outcome else { Issue.record("unreachable"); continue }
            #expect(steps.first?.field == "main.head")
            // A long path keeps its ends around one step that says how many were left out.
            let objects = steps.dropFirst().filter { $0.type != nil }
            #expect(objects.allSatisfy { $0.type == "main.Node" })
            #expect(steps.dropFirst(2).allSatisfy { $0.field == ".Next" || $0.field?.hasSuffix("more steps") == true })
            #expect(steps.count <= HeapAnalysis.maxPathSteps + 1)
            #expect(steps.last?.address == UInt64(s.dropFirst(2), radix: 16))
        }
    }

    @Test func pathExplainsAddressesThatAreNotObjects() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let a = try HeapTests.analysis(f)
        let cache = try #require(a.go.dwarf.global(named: "main.cache"))
        #expect {
            _ = try PathQuery(analysis: a, address: cache.address + a.go.bias)
        } throws: { ($0 as? CoreviewError)?.description.contains("global main.cache") == true }
        #expect(throws: CoreviewError.self) { _ = try PathQuery(analysis: a, address: 0x10) }
        // Garbage: an allocated object no root reaches.
        if let garbage = (0..<UInt32(a.graph.objectCount)).first(where: { !a.dominators.isReachable($0) }) {
            let q = try PathQuery(analysis: a, address: a.heap.address(ofObject: garbage))
            guard case .unreachable = q.outcome else { Issue.record("garbage reported reachable"); return }
        }
        let (core, exe) = FixtureStore.paths(f)
        #expect(CLI.run(["path", core, "--exe", exe, "0x10"]).status == 12)
        let json = try #require(CLI.json(["path", core, "--exe", exe, f.truth.planted![0].sampleAddresses[0]]) as? [String: Any])
        #expect(json["reachable"] as? Bool == true)
        #expect(json["owner"] as? String == "main.cache")
    }

    @Test(arguments: FixtureStore.named("zoo"))
    func overviewListsLeakSuspects(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let (core, exe) = FixtureStore.paths(f)
        let h = HeapSummary(analysis: a, corePath: core, exePath: exe)
        #expect(h.objects == a.heap.totals.objects)
        #expect(h.suspects.map(\.entry.name) == ["main.bigBytes", "main.bigPtrs"])
        #expect(h.suspects.allSatisfy { $0.share > 0.1 && $0.nextCommand.hasPrefix("coreview ") })
        let r = CLI.run(["overview", core, "--exe", exe])
        #expect(r.stdout.contains("Leak suspects"))
        #expect(r.stdout.contains("main.bigBytes"))
    }
}
