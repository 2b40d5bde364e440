import Testing
import Foundation

/// Runs the built `coreview` binary (it sits beside the test bundle in .build/<config>/).
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("coreview").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return FixtureStore.repository.appendingPathComponent(".build/debug/coreview").path
    }()

    static func run(_ arguments: [String]) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try? p.run()
        // Read both pipes concurrently so a large output cannot block the child.
        final class Box: @unchecked Sendable { var data = Data() }
        let outBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = outBox.data
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func json(_ arguments: [String]) -> Any? {
        let r = run(arguments + ["--json"])
        return try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }
}

/// A scratch directory for files a test makes (truncated or patched copies).
enum Scratch {
    static func directory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("coreview-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }

    /// A sparse copy of `core` named `name` in `dir`, to damage or patch; its path.
    static func copy(_ core: String, to dir: URL, as name: String) -> String {
        let path = dir.appendingPathComponent(name).path
        #expect(sh("cp --sparse=always '\(core)' '\(path)'") == 0)
        return path
    }

    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}
