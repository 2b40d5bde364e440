import Analysis
import ArgumentParser
import CoreFile
import GoRuntime
import Reports

/// `coreview retainers --type T`: which globals and goroutines keep the objects of T alive.
struct RetainersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retainers",
        abstract: "Which roots keep the objects of a type alive, how much each keeps, and a path to one.")

    @OptionGroup var options: CoreOptions

    @Option(name: .long, help: "The type: its Go name (main.Block, []*main.Block) or a unique suffix (Block).")
    var type: String

    @Flag(name: .long, help: "List each goroutine apart instead of grouping by function and variable.")
    var byGoroutine = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let session = try AnalysisSession(options: options, sharedRegion: true)
        let retainers = try Retainers(analysis: session.analysis, type: type, byGoroutine: byGoroutine)
        Output.write(json ? RetainersReport.json(retainers).rendered() + "\n" : RetainersReport.text(retainers))
        session.finish()
    }
}
