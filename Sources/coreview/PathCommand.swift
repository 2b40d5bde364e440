import Analysis
import ArgumentParser
import CoreFile
import Reports

/// `coreview path CORE ADDRESS`: how a root reaches the object containing an address.
struct PathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path",
        abstract: "The shortest path from a root to the object containing an address.")

    @OptionGroup var options: CoreOptions

    @Argument(help: "An address, in hex (0xc000123456) or decimal.")
    var address: String

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        guard let a = parseAddress(address) else { throw CoreviewError.usage("not an address: \(address)") }
        let session = try AnalysisSession(options: options)
        defer { session.finish() }
        let query = try PathQuery(analysis: session.analysis, address: a)
        Output.write(json ? PathReport.json(query).rendered() + "\n" : PathReport.text(query))
    }
}

/// "0xc000123456", "c000123456" (hex when it has hex letters) or decimal.
func parseAddress(_ s: String) -> UInt64? {
    let t = s.lowercased()
    if t.hasPrefix("0x") { return UInt64(t.dropFirst(2), radix: 16) }
    if t.contains(where: { "abcdef".contains($0) }) { return UInt64(t, radix: 16) }
    return UInt64(t)
}
