import Analysis
import ArgumentParser
import Reports

/// `coreview top`: the largest retained subgraphs.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "The roots and objects that retain the most of the heap (dominator-tree nodes).")

    @OptionGroup var options: CoreOptions

    @Option(name: .shortAndLong, help: "How many entries.")
    var n: Int = 20

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let session = try AnalysisSession(options: options)
        let top = TopRetainers(analysis: session.analysis, count: max(n, 1))
        Output.write(json ? TopReport.json(top).rendered() + "\n" : TopReport.text(top))
        session.finish()
    }
}
