import Analysis
import ArgumentParser
import CoreFile
import GoRuntime
import Reports

/// `coreview histogram`: objects and bytes per type.
struct HistogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "histogram",
        abstract: "Objects and bytes per type, largest first.")

    @OptionGroup var options: CoreOptions

    @Option(name: .long, help: "Show only the N largest types (0 for all).")
    var top: Int = 30

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let session = try AnalysisSession(options: options, graph: false)
        let histogram = Histogram(heap: session.heap, tinyValues: session.analysis.typing.tinyValues)
        if json {
            Output.write(HistogramReport.json(histogram, top: top).rendered() + "\n")
        } else {
            Output.write(HistogramReport.text(histogram, top: top))
        }
        session.finish()
    }
}
