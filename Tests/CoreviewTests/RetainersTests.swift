import Foundation
import Testing
@testable import Analysis
@testable import CoreFile
@testable import GoRuntime
@testable import HeapGraph

/// Roots, the object graph and `retainers` (issue 4) against every fixture of every Go version.
@Suite(.serialized) struct RetainersTests {
    /// Planted entries grouped by (type, root): the objects each root must own.
    static func expectations(_ f: Fixture) -> [(type: String, root: Truth.RootRef, count: Int)] {
        var result: [(String, Truth.RootRef, Int)] = []
        for p in f.truth.planted ?? [] where !p.isInline && p.isTypeable(goVersion: f.truth.goVersion!) && !p.isInteriorOnly(minor: f.minor) {
            if let i = result.firstIndex(where: { $0.0 == p.histogramType && $0.1.name == p.root.name && $0.1.function == p.root.function && $0.1.kind == p.root.kind }) {
                result[i].2 += p.objectCount
            } else {
                result.append((p.histogramType, p.root, p.objectCount))
            }
        }
        return result
    }

    static func matches(_ g: Retainers.Group, _ root: Truth.RootRef) -> Bool {
        switch root.kind {
        case "global": return g.kind == "global" && g.name == root.name
        default: return g.kind == root.kind && g.function == root.function && g.variable == root.variable
        }
    }

    @Test(arguments: FixtureStore.all.filter { $0.truth.planted != nil })
    func plantedRootsOwnTheirObjects(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        for e in RetainersTests.expectations(f) {
            let r = try Retainers(analysis: a, type: e.type, byGoroutine: false)
            let group = r.groups.first { RetainersTests.matches($0, e.root) }
            #expect(group != nil, "\(f.version)/\(f.program): no retainer group for \(e.type) at \(e.root); got \(r.groups.map { "\($0.kind) \($0.name): \($0.objects)" })")
            guard let group else { continue }
            #expect(group.objects == e.count, "\(f.version)/\(f.program): \(e.type) under \(group.name): \(group.objects), planted \(e.count)")
            if let n = e.root.goroutines { #expect(group.goroutines.count == n, "\(e.type): \(group.goroutines)") }
            #expect(group.retainedBytes >= group.bytes)
            // The sample path starts at the root and ends at an object of the type.
            #expect(group.path.first?.isRoot == true)
            #expect(group.path.last?.type == e.type || e.type == "main.Tiny", "path ends at \(group.path.last?.type ?? "nothing")")
            RetainersTests.expectGraphPath(a, group.path, from: [group.name])
        }
    }

    /// The steps are a walk in the object graph: from a root named in `roots` (or one whose name
    /// starts with a goroutine group's label), each step an edge to the object at the next address.
    static func expectGraphPath(_ a: HeapAnalysis, _ path: [PathStep], from roots: [String]) {
        let graph = a.graph
        guard let first = path.first, first.isRoot, let name = first.field,
              let r = graph.roots.firstIndex(where: { root in
                  // A goroutine's step names the frame and variable holding the object: match the id.
                  if let g = root.goroutine { return name.hasPrefix("goroutine \(g) ") }
                  return root.name == name
              }) else {
            Issue.record("path does not start at a root: \(path.first.map { "\($0)" } ?? "empty")")
            return
        }
        #expect(roots.contains { name == $0 || name.hasSuffix($0) }, "path starts at \(name), not at one of \(roots)")
        var previous: UInt32? = graph.node(ofRoot: r)
        for step in path.dropFirst() {
            guard let address = step.address else { previous = nil; continue }  // "... N more steps"
            guard let id = a.heap.objectID(containing: address) else {
                Issue.record("path step \(step) is not a heap object")
                return
            }
            if let p = previous {
                let successors = graph.graph.successors(of: p)
                #expect(successors.contains(id), "no edge from node \(p) to \(step.type ?? "?") @\(address)")
            }
            previous = id
        }
    }

    @Test(arguments: FixtureStore.all.filter { $0.truth.planted != nil })
    func interiorPointersAreAttributedByPath(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        for p in f.truth.planted ?? [] where p.isInteriorOnly(minor: f.minor) {
            for s in p.sampleAddresses {
                let q = try PathQuery(analysis: a, address: UInt64(s.dropFirst(2), radix: 16)!)
                #expect(q.owner == p.root.name, "\(p.type) at \(s) owned by \(q.owner ?? "shared")")
            }
        }
    }

    /// The commands build the graph, its dominators, the owners and the shared region on another
    /// thread while types propagate, and settle finalizers' referents in the dominator search; the
    /// tests above build them on demand, finalizers by a search of their own. Both give the same
    /// graph, tree and retainers.
    @Test(arguments: FixtureStore.all)
    func builtAlongsideEqualsBuiltOnDemand(_ f: Fixture) throws {
        let (core, exe) = FixtureStore.paths(f)
        let lazy = try HeapTests.analysis(f)
        let alongside = try HeapAnalysis(process: DumpedProcess(corePath: core, executablePath: exe),
                                         buildGraph: true, sharedRegion: true)
        let (g1, g2) = (alongside.graph, lazy.graph)
        // The same edges, but for the order of the super-root's (the roots), which differs on purpose.
        #expect(g1.graph.offsets == g2.graph.offsets, "\(f.testDescription) offsets")
        let superRow = g1.graph.edgeRange(of: g1.superRoot)
        #expect(g1.graph.edges[..<superRow.lowerBound] == g2.graph.edges[..<superRow.lowerBound], "\(f.testDescription) edges")
        #expect(g1.graph.edges[superRow].sorted() == g2.graph.edges[superRow].sorted(), "\(f.testDescription) roots")
        #expect(g1.roots.map(\.name) == g2.roots.map(\.name), "\(f.testDescription) root names")
        #expect(alongside.dominators.idom == lazy.dominators.idom, "\(f.testDescription) idom")
        #expect(alongside.owners == lazy.owners, "\(f.testDescription) owners")
        let types = (f.truth.planted ?? []).map(\.type) + (f.truth.shared ?? []).map(\.type)
        for type in Set(types) {
            func summary(_ a: HeapAnalysis) -> [String]? {
                guard let r = try? Retainers(analysis: a, type: type, byGoroutine: false) else { return nil }
                return r.groups.map { "\($0.kind) \($0.name) \($0.objects) \($0.bytes) \($0.retainedBytes) \($0.sharedBy.sorted())" }.sorted()
            }
            #expect(summary(alongside) == summary(lazy), "\(f.testDescription) \(type)")
        }
    }

    @Test(arguments: FixtureStore.named("shared"))
    func sharedObjectIsSharedByBothGlobals(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        for s in f.truth.shared ?? [] {
            let r = try Retainers(analysis: a, type: s.type, byGoroutine: false)
            let shared = try #require(r.groups.first { $0.kind == "shared" })
            #expect(shared.objects == s.count)
            #expect(Set(shared.sharedBy) == Set(s.roots), "\(shared.sharedBy)")
            #expect(shared.path.last?.type == s.type)
            RetainersTests.expectGraphPath(a, shared.path, from: shared.sharedBy)
            #expect(!r.groups.contains { $0.kind == "global" })
        }
    }

    @Test(arguments: FixtureStore.named("linkedlist"))
    func linkedListIsRetainedByItsHead(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let r = try Retainers(analysis: a, type: "Node", byGoroutine: false)
        #expect(r.type == "main.Node")
        #expect(r.groups.count == 1)
        #expect(r.groups.first?.name == "main.head")
        #expect(r.groups.first?.objects == 150_000)
        #expect(r.unreachableObjects == 0)
    }

    /// Every object owned by a root is reachable from that root (an independent BFS per root).
    @Test(arguments: FixtureStore.all)
    func nothingIsAttributedToARootThatCannotReachIt(_ f: Fixture) throws {
        let a = try HeapTests.analysis(f)
        let graph = a.graph
        var owned: [UInt32: [UInt32]] = [:]
        for (n, o) in a.owners.enumerated() where graph.rootIndex(ofNode: o) != nil && graph.isObject(UInt32(n)) {
            owned[o, default: []].append(UInt32(n))
        }
        for (root, objects) in owned {
            let reached = graph.graph.reachable(from: [root])
            let missing = objects.filter { !reached.contains($0) }
            #expect(missing.isEmpty, "\(graph.roots[graph.rootIndex(ofNode: root)!].name) owns \(missing.count) objects it cannot reach")
        }
        // Unreachable objects belong to no root.
        for n in 0..<UInt32(graph.objectCount) where !a.dominators.isReachable(n) {
            #expect(a.owners[Int(n)] == HeapAnalysis.unreachableOwner)
        }
    }

    @Test func byGoroutineListsEachGoroutine() throws {
        let f = try #require(FixtureStore.named("goroutines").last)
        let a = try HeapTests.analysis(f)
        let grouped = try Retainers(analysis: a, type: "main.Session", byGoroutine: false)
        let apart = try Retainers(analysis: a, type: "main.Session", byGoroutine: true)
        #expect(grouped.groups.count == 1)
        #expect(apart.groups.count == 10)
        #expect(apart.groups.allSatisfy { $0.goroutines.count == 1 && $0.objects == 100 })
    }

    @Test func typeQueriesResolveOrExplain() throws {
        #expect(try TypeQuery.resolve("Block", among: ["main.Block", "*main.Block", "[]*main.Block"]) == "main.Block")
        #expect(try TypeQuery.resolve("main.Block", among: ["main.Block", "other.Block"]) == "main.Block")
        #expect(throws: CoreviewError.self) { try TypeQuery.resolve("Block", among: ["main.Block", "other.Block"]) }
        #expect(throws: CoreviewError.self) { try TypeQuery.resolve("Nope", among: ["main.Block"]) }
        #expect(try TypeQuery.resolve("Block", among: ["main.Block", "map.table[string]*main.Block", "[]main.Block"]) == "main.Block")
        #expect(try TypeQuery.resolve("http.Request", among: ["net/http.Request", "main.Request"]) == "net/http.Request")
        #expect(try TypeQuery.resolve("Request", among: ["net/http.Request"]) == "net/http.Request")
    }

    @Test func retainersJSONHasTheDocumentedFields() throws {
        let f = try #require(FixtureStore.named("globalmap").first)
        let (core, exe) = FixtureStore.paths(f)
        let json = try #require(CLI.json(["retainers", core, "--exe", exe, "--type", "Block"]) as? [String: Any])
        #expect(json["type"] as? String == "main.Block")
        #expect(json["objects"] as? Int == 5000)
        let retainers = try #require(json["retainers"] as? [[String: Any]])
        let first = try #require(retainers.first)
        for key in ["kind", "name", "function", "variable", "goroutines", "objects", "bytes", "retainedBytes", "path"] {
            #expect(first.keys.contains(key), "missing \(key)")
        }
        #expect(first["name"] as? String == "main.cache")
        let path = try #require(first["path"] as? [[String: Any]])
        #expect(path.count >= 3)
        #expect(path.allSatisfy { $0.keys.contains("address") && $0.keys.contains("type") && $0.keys.contains("field") })
        let r = CLI.run(["retainers", core, "--exe", exe, "--type", "NoSuchType"])
        #expect(r.status == 12)
    }
}

extension Truth.Planted {
    /// Reached only through an interior pointer into an object that carries no type of its own: coreview
    /// cannot name it (never guesses), but `path` attributes it.
    func isInteriorOnly(minor: Int) -> Bool {
        (note ?? "").contains("interior pointer")
    }
}
