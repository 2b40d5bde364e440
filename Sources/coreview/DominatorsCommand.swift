import Analysis
import ArgumentParser
import CoreFile
import Reports
#if canImport(Glibc)
import Glibc
#endif

/// `coreview dominators`: the dominator tree, as text, JSON, pprof or DOT.
struct DominatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dominators",
        abstract: "The dominator tree from the roots: indented text, JSON, a pprof profile, or Graphviz DOT.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, pprof, dot }

    @OptionGroup var options: CoreOptions

    @Option(name: .long, help: "text, json, pprof (gzip protobuf for go tool pprof) or dot.")
    var format: Format = .text

    @Option(name: .long, help: "Levels to show below the start (default: all; 64 for pprof; 6 for dot).")
    var depth: Int?

    @Option(name: .long, help: "Fold children retaining less than this (bytes, or 64KiB, 1MiB, 2GiB).")
    var minBytes: String = "0"

    @Option(name: .long, help: "Start at this root (its name, as `top` prints it) or at the object containing this address.")
    var root: String?

    @Option(name: [.short, .long], help: "Write to this file instead of standard output (needed for pprof).")
    var output: String?

    func run() throws {
        guard let min = parseByteSize(minBytes) else { throw CoreviewError.usage("not a size: \(minBytes)") }
        let session = try AnalysisSession(options: options)
        let view = try DominatorTreeView(analysis: session.analysis, root: root)
        let export = DominatorExport(view: view, depth: depth ?? (format == .dot ? 6 : nil),
                                     minBytes: format == .dot && minBytes == "0" ? view.retained(view.start) / 100 : min)
        var file: UnsafeMutablePointer<FILE>? = stdout
        if let output {
            guard let f = fopen(output, "w") else { throw CoreviewError.cannotOpen(path: output, reason: "cannot create it") }
            file = f
        }
        func write(_ s: String) {
            var s = s
            s.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        }
        switch format {
        case .text:
            var buffer = OutputBuffer { bytes in _ = fwrite(bytes.baseAddress, 1, bytes.count, file) }
            export.text(to: &buffer)
        case .json: export.json(write: write)
        case .dot: export.dot(write: write)
        case .pprof:
            if output == nil && isatty(1) != 0 {
                throw CoreviewError.usage("a pprof profile is binary: write it with -o FILE.pb.gz (then `go tool pprof -http=: FILE.pb.gz`)")
            }
            let bytes = try export.pprof()
            bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, file) }
        }
        if output != nil { fclose(file) }
        session.finish()
    }
}

/// "1048576", "64KiB", "64K", "1MiB", "1.5MB", "2GiB" -> bytes (binary multiples).
func parseByteSize(_ s: String) -> UInt64? {
    let t = s.uppercased().filter { $0 != " " }
    let units: [(String, Double)] = [("GIB", 1_073_741_824), ("GB", 1_073_741_824), ("G", 1_073_741_824),
                                     ("MIB", 1_048_576), ("MB", 1_048_576), ("M", 1_048_576),
                                     ("KIB", 1024), ("KB", 1024), ("K", 1024), ("B", 1)]
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        guard let v = Double(t.dropLast(suffix.count)), v >= 0 else { return nil }
        return UInt64(v * factor)
    }
    return UInt64(t)
}
