import Analysis
import ArgumentParser
import CoreFile
import GoRuntime
import Reports

/// `coreview overview`: the process, its threads and mappings, and its Go version.
struct OverviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: "Go version, executable, process, threads and mappings of a core.")

    @OptionGroup var options: CoreOptions

    @Flag(name: .long, help: "List every mapping.")
    var mappings = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let process = try options.open()
        guard let exe = process.executable, exe.isGo else {
            throw CoreviewError.notGo("\(options.core) is not the core of a Go process: \(process.executable?.path ?? "its executable") has no Go runtime")
        }
        let overview = Overview(process: process)
        if overview.goVersion == nil {
            throw CoreviewError.notGo("no Go version found in \(options.core) or \(exe.path)")
        }
        if json {
            Output.write(OverviewReport.json(overview).rendered() + "\n")
        } else {
            Output.write(OverviewReport.text(overview, showMappings: mappings))
        }
        Output.warn(process.warnings, damaged: !process.core.missingRanges.isEmpty)
    }
}
