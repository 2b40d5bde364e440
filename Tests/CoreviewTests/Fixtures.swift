import Foundation
import Testing
@testable import CoreFile

/// What a fixture program recorded about itself (Dumps/<version>/<program>/truth.json).
struct Truth: Decodable, Sendable {
    struct MemStats: Decodable, Sendable {
        var HeapAlloc: UInt64
        var HeapObjects: UInt64
        var HeapInuse: UInt64
    }
    struct RootRef: Decodable, Sendable {
        var kind: String
        var name: String?
        var function: String?
        var variable: String?
        var goroutines: Int?
    }
    struct Planted: Decodable, Sendable {
        var type: String
        var count: Int
        var size: Int
        var root: RootRef
        var retainedBytes: UInt64?
        var sampleAddresses: [String]
        var note: String?
    }
    struct Shared: Decodable, Sendable {
        var type: String
        var count: Int
        var roots: [String]
        var retainedBytes: UInt64?
        var sampleAddresses: [String]
    }
    var program: String
    var goVersion: String?
    var pid: Int32
    var threads: Int
    var memstats: MemStats?
    var planted: [Planted]?
    var shared: [Shared]?
    /// A build or capture variant ("greenteagc", "pie", "gcore"); nil for the default kernel core.
    var variant: String?

    /// Taken with gdb's gcore from a live process instead of by the kernel at a fatal signal.
    var isGcore: Bool { variant == "gcore" }
}

/// One fixture core with its executable and truth, decompressed (sparse) into a cache folder.
struct Fixture: Sendable, CustomTestStringConvertible {
    var version: String    // "go1.22"
    var program: String
    var core: String
    var executable: String
    var truth: Truth
    var testDescription: String { "\(version)/\(program)" }
}

/// Finds the committed fixtures under Dumps/ and decompresses each file once per test run into
/// .build/coreview-fixtures (xz keeps the holes, so the cores stay sparse).
enum FixtureStore {
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dumps = repository.appendingPathComponent("Dumps")
    static let cache = repository.appendingPathComponent(".build/coreview-fixtures")
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done: Set<String> = []

    /// Decompresses `relative` (a path under Dumps/ without .xz) unless already done this run.
    static func file(_ relative: String) -> String {
        let out = cache.appendingPathComponent(relative).path
        let source = dumps.appendingPathComponent(relative + ".xz").path
        lock.lock()
        defer { lock.unlock() }
        if done.contains(relative) { return out }
        try? FileManager.default.createDirectory(atPath: (out as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        let stamp = out + ".stamp"
        let attrs = try? FileManager.default.attributesOfItem(atPath: source)
        let signature = "\(attrs?[.size] ?? 0)-\((attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if (try? String(contentsOfFile: stamp, encoding: .utf8)) != signature || !FileManager.default.fileExists(atPath: out) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "xz -dc '\(source)' > '\(out).tmp' && mv '\(out).tmp' '\(out)'"]
            try? p.run()
            p.waitUntilExit()
            precondition(p.terminationStatus == 0, "could not decompress \(source)")
            try? signature.write(toFile: stamp, atomically: true, encoding: .utf8)
        }
        done.insert(relative)
        return out
    }

    /// Every Go fixture: Dumps/go1.*/<program>/core.xz with truth.json, sorted.
    static let all: [Fixture] = {
        var result: [Fixture] = []
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: dumps.path)) ?? []).filter { $0.hasPrefix("go1.") }
        for v in versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }) {
            let programs = ((try? fm.contentsOfDirectory(atPath: dumps.appendingPathComponent(v).path)) ?? []).sorted()
            for p in programs {
                let dir = dumps.appendingPathComponent(v).appendingPathComponent(p)
                guard fm.fileExists(atPath: dir.appendingPathComponent("core.xz").path),
                      let data = fm.contents(atPath: dir.appendingPathComponent("truth.json").path),
                      let truth = try? JSONDecoder().decode(Truth.self, from: data) else { continue }
                result.append(Fixture(version: v, program: p, core: "\(v)/\(p)/core", executable: "\(v)/fixture", truth: truth))
            }
        }
        return result
    }()

    static func named(_ program: String) -> [Fixture] { all.filter { $0.program == program } }

    /// The decompressed core and executable paths of a fixture.
    static func paths(_ f: Fixture) -> (core: String, exe: String) {
        (file(f.core), file(f.executable))
    }

    /// The Go versions the fixtures must cover (issue: 1.19 and 1.21 through 1.27).
    static let requiredVersions = ["go1.19", "go1.21", "go1.22", "go1.23", "go1.24", "go1.25", "go1.26", "go1.27"]
}
