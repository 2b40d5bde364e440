import Foundation
import Testing
@testable import Analysis
@testable import CoreFile
@testable import GoRuntime
@testable import HeapGraph
@testable import Reports

/// Retained sizes, `top` and the dominator tree export (issue 5) against every fixture.
@Suite(.serialized) struct DominatorTests {
    /// Retained bytes of a planted root: a global's node, or the sum over the goroutines' roots of a
    /// stack variable.
    static func retained(by root: Truth.RootRef, in a: HeapAnalysis) -> UInt64 {
        let graph = a.graph
        var total: UInt64 = 0
        for (i, r) in graph.roots.enumerated() {
            let hit: Bool
            switch root.kind {
            case "global": hit = r.kind == .global && r.name == root.name
            default:
                // A goroutine whose words include the variable.
                hit = r.kind.rawValue == root.kind && r.labels.contains { $0.function == root.function && $0.variable == root.variable }
            }
            if hit { total += a.retainedBytes[Int(graph.node(ofRoot: i))] }
        }
        return total
    }

    /// Size-class rounding: the program measured HeapAlloc deltas, we sum slots; allow a little slack
    /// for allocations the runtime made meanwhile.
    static func close(_ a: UInt64, _ b: UInt64) -> Bool {
        let d = a > b ? a - b : b - a
        return d <= max(b / 50, 2048)
    }

    @Test(arguments: FixtureStore.all.filter { $0.truth.planted != nil })
    func plantedRootsRetainWhatTheProgramMeasured(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        // One measurement per root; the entries after the first of a root carry null.
        var seen = Set<String>()
        for p in f.truth.planted ?? [] {
            guard let expected = p.retainedBytes, p.isTypeable(goVersion: f.truth.goVersion!) else { continue }
            let key = "\(p.root.kind)|\(p.root.name ?? "")|\(p.root.function ?? "")|\(p.root.variable ?? "")"
            // Entries sharing a root each measured a part; compare the root against the sum of its parts.
            guard seen.insert(key).inserted else { continue }
            let parts = (f.truth.planted ?? []).filter {
                "\($0.root.kind)|\($0.root.name ?? "")|\($0.root.function ?? "")|\($0.root.variable ?? "")" == key
            }.compactMap(\.retainedBytes).reduce(0, +)
            _ = expected
            let got = DominatorTests.retained(by: p.root, in: a)
            if p.root.function == "main.spin" {
                // Preempted goroutines' frames are scanned conservatively (as the collector does): a stale
                // word can share another spinner's buffer between the two, so allow one 64 KiB buffer.
                #expect(got <= parts + 2048 && got + 70_000 >= parts, "\(f.version)/\(f.program): main.spin retains \(got), measured \(parts)")
                continue
            }
            #expect(DominatorTests.close(got, parts), "\(f.version)/\(f.program): \(p.root.name ?? p.root.function ?? "") retains \(got), measured \(parts)")
        }
    }

    @Test(arguments: FixtureStore.named("shared"))
    func eachGlobalRetainsOnlyItsPrivateObject(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        for s in f.truth.shared ?? [] {
            let address = UInt64(s.sampleAddresses[0].dropFirst(2), radix: 16)!
            let big = try #require(a.heap.objectID(containing: address))
            #expect(a.dominators.idom[Int(big)] == a.graph.superRoot, "the shared object is dominated by \(a.dominators.idom[Int(big)])")
            for root in s.roots {
                let r = try #require(a.graph.roots.firstIndex { $0.name == root })
                let retained = a.retainedBytes[Int(a.graph.node(ofRoot: r))]
                let privateBytes = (f.truth.planted ?? []).filter { $0.root.name == root }.compactMap(\.retainedBytes).reduce(0, +)
                #expect(DominatorTests.close(retained, privateBytes), "\(root) retains \(retained), its private objects \(privateBytes)")
                #expect(retained < s.retainedBytes ?? 0)
            }
        }
    }

    @Test(arguments: FixtureStore.all)
    func superRootChildrenSumToTheReachableHeap(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let children = a.dominatorChildren
        let sum = children.edges[children.edgeRange(of: a.graph.superRoot)].reduce(UInt64(0)) { $0 + a.retainedBytes[Int($1)] }
        // The reachable heap, counted independently with a BFS from the super-root.
        let reached = a.graph.graph.reachable(from: [a.graph.superRoot])
        var reachable: UInt64 = 0
        for n in reached where a.graph.isObject(n) { reachable += a.nodeSizes[n] }
        #expect(sum == reachable)
        #expect(a.retainedBytes[Int(a.graph.superRoot)] == reachable)
        #expect(reachable <= a.heap.totals.bytes)
    }

    /// Ownership (each node's owning root and its top), split over two threads as the analysis does
    /// on big heaps, against the plain definition: in dominator preorder, a node takes its idom's owner,
    /// and its top is itself right below a root or the super-root, else its idom's top.
    @Test(arguments: FixtureStore.all)
    func ownershipSplitInTwoMatchesTheDefinition(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let g = a.graph, d = a.dominators
        var owner = [UInt32](repeating: HeapAnalysis.unreachableOwner, count: g.graph.nodeCount)
        var top = [UInt32](repeating: .max, count: g.graph.nodeCount)
        for n in d.nodesInPreorder() {
            if g.rootIndex(ofNode: n) != nil {
                owner[Int(n)] = n
            } else if n == g.superRoot {
                owner[Int(n)] = .max
            } else {
                let i = d.idom[Int(n)]
                owner[Int(n)] = owner[Int(i)]
                top[Int(n)] = g.rootIndex(ofNode: i) != nil || i == g.superRoot ? n : top[Int(i)]
            }
        }
        for splitAbove in [0, 1 << 16] {
            let split = HeapAnalysis.ownership(graph: g, dominators: d, preorder: nil, splitAbove: splitAbove)
            #expect(split.owner == owner, "\(f.testDescription) owner, split above \(splitAbove)")
            #expect(split.child == top, "\(f.testDescription) top, split above \(splitAbove)")
        }
    }

    @Test(arguments: FixtureStore.named("globalmap"))
    func topShowsAChainOnceAtItsHead(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let top = TopRetainers(analysis: a, count: 10)
        let cache = try #require(top.entries.first { $0.name == "main.cache" })
        #expect(cache.kind == "global")
        #expect(cache.topType == "main.Block" || cache.topType?.hasPrefix("[]map.") == true || cache.topType == "<string data>")
        // The map header under main.cache retains all but nothing more: it is not listed again.
        #expect(!top.entries.contains { $0.kind == "object" && $0.retainedBytes == cache.retainedBytes })
        #expect(top.entries.map(\.retainedBytes) == top.entries.map(\.retainedBytes).sorted(by: >))
        let registry = try #require(top.entries.first { $0.name == "main.registry" })
        #expect(registry.retainedBytes > cache.retainedBytes)
    }

    @Test func topJSONHasTheDocumentedFields() throws {
        let f = try #require(FixtureStore.named("zoo").first)
        let (core, exe) = FixtureStore.paths(f)
        let json = try #require(CLI.json(["top", core, "--exe", exe, "-n", "5"]) as? [String: Any])
        #expect(json["heapBytes"] as? Int ?? 0 > 0)
        let entries = try #require(json["entries"] as? [[String: Any]])
        #expect(entries.count == 5)
        for key in ["kind", "name", "address", "type", "retainedBytes", "retainedObjects", "owner"] {
            #expect(entries[0].keys.contains(key), "missing \(key)")
        }
        #expect(entries[0]["name"] as? String == "main.bigBytes")
    }

    @Test func textExportFoldsSmallChildrenAndStreams() throws {
        let f = try #require(FixtureStore.named("linkedlist").first)
        let (core, exe) = FixtureStore.paths(f)
        let r = CLI.run(["dominators", core, "--exe", exe, "--format", "text", "--min-bytes", "64KiB"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.contains("heap (all roots)") == true)
        #expect(lines.contains { $0.contains("global main.head") })
        #expect(lines.contains { $0.contains("more (") || $0.contains("a chain of") })
        // Children are indented two spaces deeper than their parent.
        let head = try #require(lines.firstIndex { $0.contains("global main.head") })
        let indent = lines[head].prefix { $0 == " " }.count
        #expect(lines[head + 1].prefix { $0 == " " }.count == indent + 2)
        // The 150,000-node list is one chain line, not 150,000 ever deeper lines.
        let full = CLI.run(["dominators", core, "--exe", exe, "--root", "main.head"])
        #expect(full.status == 0)
        let fullLines = full.stdout.split(separator: "\n")
        #expect(fullLines.count == 3, "\(fullLines.prefix(5))")
        #expect(fullLines[1].contains("a chain of 149,999 objects (main.Node)"))
        #expect(fullLines[2].contains("object main.Node"))
    }

    @Test func jsonExportNestsChildren() throws {
        let f = try #require(FixtureStore.named("shared").first)
        let (core, exe) = FixtureStore.paths(f)
        let r = CLI.run(["dominators", core, "--exe", exe, "--format", "json", "--depth", "3"])
        let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        let tree = try #require(parsed as? [String: Any])
        for key in ["name", "type", "address", "retainedBytes", "retainedObjects", "children"] { #expect(tree.keys.contains(key)) }
        let children = try #require(tree["children"] as? [[String: Any]])
        let sum = children.compactMap { $0["retainedBytes"] as? Int }.reduce(0, +)
        let folded = (tree["folded"] as? [String: Any])?["retainedBytes"] as? Int ?? 0
        #expect(sum + folded == tree["retainedBytes"] as? Int)
        #expect(children.contains { ($0["name"] as? String) == "main.Big" && ($0["kind"] as? String) == "object" })
    }

    @Test func dotExportIsAGraph() throws {
        let f = try #require(FixtureStore.named("zoo").first)
        let (core, exe) = FixtureStore.paths(f)
        let r = CLI.run(["dominators", core, "--exe", exe, "--format", "dot", "--depth", "2"])
        #expect(r.stdout.hasPrefix("digraph dominators {"))
        #expect(r.stdout.contains("->"))
        #expect(r.stdout.hasSuffix("}\n"))
    }

    @Test(.enabled(if: GoForTests.go != nil, "no Go toolchain: set COREVIEW_GO or run Tools/setup"),
          arguments: FixtureStore.named("zoo").suffix(1) + FixtureStore.named("goroutines").prefix(1))
    func pprofExportReadsInGoToolPprof(_ f: Fixture) throws {
        let (core, exe) = FixtureStore.paths(f)
        let dir = Scratch.directory()
        defer { Scratch.remove(dir) }
        let out = dir.appendingPathComponent("dominators.pb.gz").path
        let r = CLI.run(["dominators", core, "--exe", exe, "--format", "pprof", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try HeapTests.analysis(f)
        let reachable = a.retainedBytes[Int(a.graph.superRoot)]
        let top = try #require(GoForTests.pprofTop(out, sampleIndex: "retained_space"))
        #expect(top.contains("of \(reachable)B total"), "\(top.prefix(600))")
    }
}

/// A Go toolchain for the tests that run `go tool pprof`.
enum GoForTests {
    static let go: String? = {
        let env = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let g = env["COREVIEW_GO"] { candidates.append(g) }
        let home = env["HOME"] ?? "/root"
        let dir = home + "/.cache/coreview/go"
        for v in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] { candidates.append("\(dir)/\(v)/go/bin/go") }
        for p in (env["PATH"] ?? "").split(separator: ":") { candidates.append("\(p)/go") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func pprofTop(_ file: String, sampleIndex: String) -> String? {
        guard let go else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: go)
        p.arguments = ["tool", "pprof", "-top", "-unit=B", "-sample_index=\(sampleIndex)", file]
        var env = ProcessInfo.processInfo.environment
        env["GOTOOLCHAIN"] = "local"
        env["GOFLAGS"] = "-mod=mod"
        env["GOPROXY"] = "off"
        env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("coreview-pprof-test-gocache").path
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = Pipe()
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
