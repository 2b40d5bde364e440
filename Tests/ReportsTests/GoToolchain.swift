import Foundation

/// Locates a Go toolchain for end-to-end tests and runs `go tool pprof`.
///
/// `path` is resolved once: `$COREVIEW_GO`, else `go` on `PATH`, else
/// `$HOME/.cache/coreview/go/*/go/bin/go`, else `/work/go/1.25.5/go/bin/go`;
/// nil when none is an executable file. Commands run offline
/// (GOTOOLCHAIN=local, GOPROXY=off) with a GOCACHE under the temp directory
/// that is kept between runs, since `go tool pprof` builds pprof on first use.
enum GoToolchain {
    static let path: String? = locate()

    private static func locate() -> String? {
        let fm = FileManager.default
        let env = ProcessInfo.processInfo.environment
        func executable(_ p: String) -> String? { fm.isExecutableFile(atPath: p) ? p : nil }
        if let p = env["COREVIEW_GO"], !p.isEmpty { return executable(p) }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            if let p = executable("\(dir)/go") { return p }
        }
        let cache = "\(env["HOME"] ?? NSHomeDirectory())/.cache/coreview/go"
        if let versions = try? fm.contentsOfDirectory(atPath: cache) {
            for v in versions.sorted().reversed() {
                if let p = executable("\(cache)/\(v)/go/bin/go") { return p }
            }
        }
        return executable("/work/go/1.25.5/go/bin/go")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `go <arguments>` in `directory`; returns stdout, throws on a
    /// non-zero exit with stderr in the message.
    static func run(_ arguments: [String], in directory: URL) throws -> String {
        guard let path else { throw Failure(description: "no Go toolchain") }
        let tmp = FileManager.default.temporaryDirectory
        var env = ProcessInfo.processInfo.environment
        env["GOTOOLCHAIN"] = "local"
        env["GOFLAGS"] = "-mod=mod"
        env["GOPROXY"] = "off"
        env["GOCACHE"] = tmp.appendingPathComponent("coreview-pprof-test-gocache").path
        env["GOPATH"] = tmp.appendingPathComponent("coreview-pprof-test-gopath").path
        env["PPROF_TMPDIR"] = directory.path
        env["PPROF_BINARY_PATH"] = directory.path

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = env
        let out = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        let stdout = try String(contentsOf: out, encoding: .utf8)
        let stderr = try String(contentsOf: err, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "go \(arguments.joined(separator: " ")) exited \(process.terminationStatus):\n\(stderr)\(stdout)")
        }
        return stdout
    }
}
