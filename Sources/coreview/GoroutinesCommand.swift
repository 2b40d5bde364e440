import Analysis
import ArgumentParser
import CoreFile
import Reports

/// `coreview goroutines`: every goroutine with its state, creator, frames and the bytes its stack retains.
struct GoroutinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goroutines",
        abstract: "Goroutines: status, wait reason, creator, frames, and the heap their stacks retain.")

    @OptionGroup var options: CoreOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let session = try AnalysisSession(options: options)
        _ = try session.stacks()
        let list = GoroutineList(analysis: session.analysis)
        Output.write(json ? GoroutinesReport.json(list).rendered() + "\n" : GoroutinesReport.text(list))
        session.finish()
    }
}
